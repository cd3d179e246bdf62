import { describe, expect, it } from 'vitest';
import {
  addReleaseNotes,
  newestReleaseIn,
  releaseNotesOf,
  renderReleaseNotes,
  serviceChangesBetween,
} from '../src/changelog.js';

const NOTES = renderReleaseNotes(
  '1.1.0',
  [
    {
      name: 'backend',
      from: '0.1.0',
      to: '0.2.0',
      bump: 'minor',
      changes: ['Links can expire.\n\nSet `expiresAt` when creating one.'],
    },
    { name: 'cache', from: '0.1.0', to: '0.1.1', bump: 'patch', changes: [] },
  ],
  [
    { name: 'ghcr.io/appdist/backend', from: '0.1.0', tag: '0.2.0' },
    { name: 'ghcr.io/appdist/cache', from: '0.1.0', tag: '0.1.1' },
  ],
);

describe('release notes', () => {
  it('list the pinned images, then each service with its changes', () => {
    expect(NOTES).toBe(`## 1.1.0

Images pinned in dist/base:
- ghcr.io/appdist/backend:0.2.0 (was 0.1.0)
- ghcr.io/appdist/cache:0.1.1 (was 0.1.0)

### backend 0.2.0 (was 0.1.0, minor)

- Links can expire.

  Set \`expiresAt\` when creating one.

### cache 0.1.1 (was 0.1.0, patch)

- Dependencies updated.
`);
  });

  it('start a new CHANGELOG.md with a title', () => {
    const changelog = addReleaseNotes(undefined, NOTES);
    expect(changelog).toMatch(/^# Changelog\n\n/);
    expect(changelog.endsWith(NOTES)).toBe(true);
  });

  it('go above older releases, below the title', () => {
    const older = '# Changelog\n\nIntro.\n\n## 1.0.0\n\nFirst.\n';
    expect(addReleaseNotes(older, NOTES)).toBe(
      `# Changelog\n\nIntro.\n\n${NOTES}\n## 1.0.0\n\nFirst.\n`,
    );
    expect(addReleaseNotes('# Changelog\n', NOTES)).toBe(`# Changelog\n\n${NOTES}`);
  });

  it('are found again by version, for the tag message', () => {
    const changelog = addReleaseNotes('# Changelog\n\n## 1.0.0\n\nFirst.\n', NOTES);
    expect(newestReleaseIn(changelog)).toBe('1.1.0');
    expect(releaseNotesOf(changelog, '1.0.0')).toBe('First.');
    const notes = releaseNotesOf(changelog, '1.1.0') ?? '';
    expect(notes).toMatch(/^Images pinned in dist\/base:/);
    expect(notes).toMatch(/- Dependencies updated\.$/);
    expect(releaseNotesOf(changelog, '0.9.0')).toBeUndefined();
  });
});

describe('service changelogs written by changesets', () => {
  const CHANGELOG = `# @appdist/backend

## 0.3.0

### Minor Changes

- 4f2a9c1: Links can expire.

  Set \`expiresAt\` when creating one.

### Patch Changes

- 9b8e7d6: Faster redirects.

## 0.2.1

### Patch Changes

- 1a2b3c4: Fix the click counter.

## 0.2.0

### Minor Changes

- 0a0a0a0: Already released.
`;

  it('give the entries after the pinned version, oldest first, without commit hashes', () => {
    expect(serviceChangesBetween(CHANGELOG, '0.2.0', '0.3.0')).toEqual([
      'Fix the click counter.',
      'Links can expire.\n\nSet `expiresAt` when creating one.',
      'Faster redirects.',
    ]);
    expect(serviceChangesBetween(CHANGELOG, '0.2.1', '0.2.1')).toEqual([]);
    expect(serviceChangesBetween('', '0.1.0', '0.2.0')).toEqual([]);
  });
});
