import { describe, expect, it } from 'vitest';
import { isIgnored, parseDockerignore } from '../src/dockerignore.js';

describe('isIgnored', () => {
  it('matches from the context root unless the pattern starts with **', () => {
    const patterns = parseDockerignore('dist\n**/node_modules\n');
    expect(isIgnored(patterns, 'dist/base/a.yaml')).toBe(true);
    expect(isIgnored(patterns, 'services/api/dist/main.js')).toBe(false);
    expect(isIgnored(patterns, 'node_modules/a')).toBe(true);
    expect(isIgnored(patterns, 'services/api/node_modules/a/b')).toBe(true);
  });

  it('keeps * and ? within one segment, ignores comments and blank lines, strips a leading /', () => {
    const patterns = parseDockerignore('# comment\n\n/*.log\ndocs/?.md\n');
    expect(isIgnored(patterns, 'npm.log')).toBe(true);
    expect(isIgnored(patterns, 'logs/npm.log')).toBe(false);
    expect(isIgnored(patterns, 'docs/a.md')).toBe(true);
    expect(isIgnored(patterns, 'docs/ab.md')).toBe(false);
    expect(isIgnored(patterns, '# comment')).toBe(false);
  });

  it('lets the last matching line win, so ! re-includes', () => {
    const patterns = parseDockerignore('docs\n!docs/keep.md\n');
    expect(isIgnored(patterns, 'docs/drop.md')).toBe(true);
    expect(isIgnored(patterns, 'docs/keep.md')).toBe(false);
    expect(isIgnored(parseDockerignore('!docs/keep.md\ndocs\n'), 'docs/keep.md')).toBe(true);
  });

  it('escapes regular expression characters in patterns', () => {
    const patterns = parseDockerignore('a.b+c\n');
    expect(isIgnored(patterns, 'a.b+c')).toBe(true);
    expect(isIgnored(patterns, 'axbbc')).toBe(false);
  });
});
