import { describe, expect, it } from 'vitest';
import { ciScriptProblems } from '../src/ci-scripts.js';
import { ciScriptNames, root } from './sandbox.js';

const names = await ciScriptNames();

describe('every ci/ script', () => {
  it('is there', () => {
    expect(names.length).toBeGreaterThan(10);
  });

  it.each(names)('ci/%s is executable, parses and starts with set -euo pipefail', async (name) => {
    expect(await ciScriptProblems(root, `ci/${name}`)).toEqual([]);
  });
});
