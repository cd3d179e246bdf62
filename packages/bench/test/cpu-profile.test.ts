import { describe, expect, it } from 'vitest';
import { type CpuProfile, originOf, summarizeProfile } from '../src/cpu-profile.js';

describe('originOf', () => {
  it('names the package, Node itself, a workspace or V8', () => {
    expect(originOf('file:///w/node_modules/express/lib/router.js', 'handle')).toBe('express');
    expect(originOf('file:///w/node_modules/@ioredis/commands/x.js', 'f')).toBe(
      '@ioredis/commands',
    );
    expect(originOf('node:_http_server', 'f')).toBe('node:internal');
    expect(originOf('file:///w/packages/service-kit/dist/metrics.js', 'f')).toBe(
      '@appdist/service-kit',
    );
    expect(originOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(originOf('', 'writeUtf8String')).toBe('(native)');
  });
});

describe('summarizeProfile', () => {
  const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 9 });
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 3, 4] },
      { id: 2, callFrame: frame('(idle)') },
      { id: 3, callFrame: frame('handle', 'file:///w/node_modules/express/lib/application.js') },
      { id: 4, callFrame: frame('(garbage collector)') },
    ],
    startTime: 0,
    endTime: 10_000,
    samples: [2, 3, 3, 3, 4, 2],
    timeDeltas: [1000, 1000, 2000, 1000, 4000, 1000],
  };

  it('adds self time per function and per origin, leaving idle time out', () => {
    const summary = summarizeProfile(profile);
    expect(summary.totalMs).toBe(8);
    expect(summary.functions).toEqual([
      { name: 'handle express/lib/application.js:10', ms: 4, share: 0.5 },
      { name: '(garbage collector)', ms: 4, share: 0.5 },
    ]);
    expect(summary.origins.map((entry) => entry.name)).toEqual(['express', '(garbage collector)']);
  });
});
