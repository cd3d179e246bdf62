import { describe, expect, it } from 'vitest';
import { setImageTagInSource } from '../src/kustomization-images.js';

const FILE = 'kustomization.yaml';

describe('setImageTagInSource', () => {
  it('replaces only the newTag value, keeping comments, quotes and other entries', () => {
    const source = `# pinned images
resources:
  - ../base # the base
images:
  - name: ghcr.io/appdist/frontend
    newTag: "1.0.0"   # release pin
  - name: ghcr.io/appdist/backend
    newName: mirror.example/backend
    newTag: '1.0.0'
`;
    const edited = setImageTagInSource(source, 'ghcr.io/appdist/backend', '1.2.3', FILE);
    expect(edited).toBe(source.replace("newTag: '1.0.0'", "newTag: '1.2.3'"));
    expect(setImageTagInSource(source, 'ghcr.io/appdist/frontend', '2.0.0', FILE)).toBe(
      source.replace('newTag: "1.0.0"', 'newTag: "2.0.0"'),
    );
  });

  it('quotes a tag YAML would read as a number or boolean', () => {
    const source = 'images:\n  - name: redis\n    newTag: 7.2.4\n';
    expect(setImageTagInSource(source, 'redis', '7.10', FILE)).toBe(
      'images:\n  - name: redis\n    newTag: "7.10"\n',
    );
    expect(setImageTagInSource(source, 'redis', 'on', FILE)).toContain('newTag: "on"');
  });

  it('adds newTag under an entry that has none, at its indentation', () => {
    const source = 'images:\n- name: redis # store\n  newName: mirror.example/redis\n';
    expect(setImageTagInSource(source, 'redis', '7.4.1', FILE)).toBe(
      'images:\n- name: redis # store\n  newTag: 7.4.1\n  newName: mirror.example/redis\n',
    );
  });

  it('edits flow-style entries in place', () => {
    const source = 'images:\n  - {name: redis, newTag: 7.2.4}\n  - {name: postgres}\n';
    expect(setImageTagInSource(source, 'redis', '7.4.1', FILE)).toBe(
      'images:\n  - {name: redis, newTag: 7.4.1}\n  - {name: postgres}\n',
    );
    expect(setImageTagInSource(source, 'postgres', '17.2', FILE)).toBe(
      'images:\n  - {name: redis, newTag: 7.2.4}\n  - {name: postgres, newTag: "17.2"}\n',
    );
  });

  it('appends a missing entry after the last one, matching the list indentation', () => {
    const source = 'images:\n  - name: redis\n    newTag: 7.2.4 # pin\nlabels: []\n';
    expect(setImageTagInSource(source, 'postgres', '17.2.0', FILE)).toBe(
      'images:\n  - name: redis\n    newTag: 7.2.4 # pin\n  - name: postgres\n    newTag: 17.2.0\nlabels: []\n',
    );
  });

  it('adds an images list to a kustomization without one', () => {
    expect(setImageTagInSource('resources:\n- a.yaml', 'redis', '7.4.1', FILE)).toBe(
      'resources:\n- a.yaml\nimages:\n- name: redis\n  newTag: 7.4.1\n',
    );
  });

  it('keeps Windows line endings', () => {
    const source = 'images:\r\n- name: redis\r\n';
    expect(setImageTagInSource(source, 'redis', '7.4.1', FILE)).toBe(
      'images:\r\n- name: redis\r\n  newTag: 7.4.1\r\n',
    );
  });

  it('refuses an image pinned by digest, where a tag would change nothing', () => {
    const source = 'images:\n  - name: redis\n    digest: sha256:abc\n';
    expect(() => setImageTagInSource(source, 'redis', '7.4.1', FILE)).toThrow(
      /pinned by digest in kustomization.yaml/,
    );
  });

  it('refuses an images value it cannot edit without reformatting, naming the file', () => {
    expect(() => setImageTagInSource('images: [{name: redis}]\n', 'redis', '7.4.1', FILE)).toThrow(
      /cannot edit images: in kustomization.yaml/,
    );
  });
});
