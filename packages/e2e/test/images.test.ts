import { describe, expect, it } from 'vitest';
import { checkTag, imageOverrides, parseImageRef, releaseImage } from '../src/images.js';

describe('parseImageRef', () => {
  it('splits name, tag and digest, keeping a registry port in the name', () => {
    expect(parseImageRef('ghcr.io/appdist/backend:e2e')).toEqual({
      name: 'ghcr.io/appdist/backend',
      tag: 'e2e',
    });
    expect(parseImageRef('localhost:5000/appdist/backend:pr-42')).toEqual({
      name: 'localhost:5000/appdist/backend',
      tag: 'pr-42',
    });
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseImageRef(`ghcr.io/appdist/backend:1.2.0@${digest}`)).toEqual({
      name: 'ghcr.io/appdist/backend',
      tag: '1.2.0',
      digest,
    });
  });

  it('refuses what Kind could not find once loaded', () => {
    expect(() => parseImageRef('localhost:5000/appdist/backend')).toThrow(/needs a tag/);
    expect(() => parseImageRef('backend:bad tag')).toThrow(/contains whitespace/);
    expect(() => parseImageRef('backend@sha256:123')).toThrow(/digest must be/);
    expect(() => parseImageRef(`r/x:1@sha256:${'a'.repeat(64)}@junk`)).toThrow(
      'a digest must be @sha256:<64 hex digits>',
    );
    expect(() => parseImageRef(':e2e')).toThrow(/has no name/);
    expect(() => parseImageRef('backend:-e2e')).toThrow(/invalid tag "-e2e"/);
  });
});

describe('imageOverrides', () => {
  it('keeps the services given, each reference checked', () => {
    expect(
      imageOverrides(['backend=registry.local/backend:pr-7', 'cache=localhost:5000/cache:pr-7']),
    ).toEqual({ backend: 'registry.local/backend:pr-7', cache: 'localhost:5000/cache:pr-7' });
  });

  it('names the unknown service or the bad reference', () => {
    expect(() => imageOverrides(['redis=redis:7'])).toThrow(
      'images: unknown service "redis": use frontend, backend, cache, database, tester',
    );
    expect(() => imageOverrides(['cache=cache'])).toThrow(/needs a tag/);
  });
});

describe('checkTag', () => {
  it('refuses what is not an image tag', () => {
    expect(checkTag('sha-3f2c1e0')).toBe('sha-3f2c1e0');
    expect(() => checkTag('not a tag')).toThrow('tag "not a tag" is not a valid image tag');
    // Docker's grammar: no leading '.' or '-', at most 128 characters.
    expect(checkTag('_1.2-rc')).toBe('_1.2-rc');
    expect(checkTag('a'.repeat(128))).toBe('a'.repeat(128));
    for (const bad of ['.1', '-1', 'a'.repeat(129), 'a/b', '']) {
      expect(() => checkTag(bad)).toThrow('is not a valid image tag');
    }
  });
});

describe('releaseImage', () => {
  it('is a second tag of the same repository', () => {
    expect(releaseImage('ghcr.io/appdist/cache:e2e')).toBe('ghcr.io/appdist/cache:e2e-release2');
    expect(releaseImage(`ghcr.io/appdist/cache@sha256:${'b'.repeat(64)}`)).toBe(
      'ghcr.io/appdist/cache:e2e-release2',
    );
  });
});
