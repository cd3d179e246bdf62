import { describe, expect, it } from 'vitest';
import {
  bumpVersion,
  compareVersions,
  isPlainVersion,
  largestBump,
  newestVersion,
} from '../src/version.js';

describe('plain versions', () => {
  it('accepts MAJOR.MINOR.PATCH only', () => {
    expect(isPlainVersion('1.10.0')).toBe(true);
    for (const text of ['v1.0.0', '1.0', '1.0.0-rc.1', '1.0.0+build', '01.0.0', '1.0.0 ', '']) {
      expect(isPlainVersion(text), text).toBe(false);
    }
  });

  it('compares numerically, not as text', () => {
    expect(compareVersions('1.10.0', '1.9.9')).toBeGreaterThan(0);
    expect(compareVersions('2.0.0', '10.0.0')).toBeLessThan(0);
    expect(compareVersions('1.2.3', '1.2.3')).toBe(0);
    expect(() => compareVersions('v1.0.0', '1.0.0')).toThrow(/not a MAJOR.MINOR.PATCH version/);
  });

  it('finds the newest version among tags, ignoring the others', () => {
    expect(newestVersion(['1.9.0', 'v3.0.0', '1.10.0', '2.0.0-rc.1', 'latest'])).toBe('1.10.0');
    expect(newestVersion(['v1.0.0', ''])).toBeUndefined();
  });

  it('bumps and resets the lower parts', () => {
    expect(bumpVersion('1.4.2', 'major')).toBe('2.0.0');
    expect(bumpVersion('1.4.2', 'minor')).toBe('1.5.0');
    expect(bumpVersion('1.4.2', 'patch')).toBe('1.4.3');
  });

  it('orders bumps major > minor > patch', () => {
    expect(largestBump(['patch', 'minor', 'patch'])).toBe('minor');
    expect(largestBump(['minor', 'major', 'patch'])).toBe('major');
    expect(largestBump(['patch'])).toBe('patch');
    expect(largestBump([])).toBeUndefined();
  });
});
