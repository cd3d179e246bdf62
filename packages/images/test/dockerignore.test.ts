// The matcher the images use for .dockerignore is @balena/dockerignore; these are the rules of
// Docker's that packages/images relies on, held to the library.
import dockerignore from '@balena/dockerignore';
import { describe, expect, it } from 'vitest';

const ignore = dockerignore as unknown as typeof dockerignore.default;
const patterns = (text: string) => ignore().add(text.split('\n'));

describe('@balena/dockerignore', () => {
  it('matches from the context root unless the pattern starts with **', () => {
    const ignored = patterns('dist\n**/node_modules\n');
    expect(ignored.ignores('dist/base/a.yaml')).toBe(true);
    expect(ignored.ignores('services/api/dist/main.js')).toBe(false);
    expect(ignored.ignores('node_modules/a')).toBe(true);
    expect(ignored.ignores('services/api/node_modules/a/b')).toBe(true);
  });

  it('keeps * and ? within one segment, ignores comments and blank lines, strips a leading /', () => {
    const ignored = patterns('# comment\n\n/*.log\ndocs/?.md\n');
    expect(ignored.ignores('npm.log')).toBe(true);
    expect(ignored.ignores('logs/npm.log')).toBe(false);
    expect(ignored.ignores('docs/a.md')).toBe(true);
    expect(ignored.ignores('docs/ab.md')).toBe(false);
    expect(ignored.ignores('# comment')).toBe(false);
  });

  it('lets the last matching line win, so ! re-includes', () => {
    const ignored = patterns('docs\n!docs/keep.md\n');
    expect(ignored.ignores('docs/drop.md')).toBe(true);
    expect(ignored.ignores('docs/keep.md')).toBe(false);
    expect(patterns('!docs/keep.md\ndocs\n').ignores('docs/keep.md')).toBe(true);
  });

  it('takes . literally, and [ ] as a character class', () => {
    const ignored = patterns('a.b\n[ab].txt\n');
    expect(ignored.ignores('a.b')).toBe(true);
    expect(ignored.ignores('axb')).toBe(false);
    expect(ignored.ignores('a.txt')).toBe(true);
    expect(ignored.ignores('c.txt')).toBe(false);
  });
});
