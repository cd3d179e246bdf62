/** The parts of a V8 `.cpuprofile` (node --cpu-prof) that the summary reads. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  startTime: number;
  endTime: number;
  samples: number[];
  /** Microseconds since the previous sample. */
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  /** Self time in milliseconds, and as a share of all samples. */
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** By function (name and location), heaviest first. */
  functions: ProfileEntry[];
  /** By where the code lives: a package under node_modules, node:internal, a workspace, or V8. */
  origins: ProfileEntry[];
}

/** `express`, `@appdist/service-kit`, `node:internal`, `(garbage collector)`, … */
export function originOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node:internal';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (modules?.[1]) return modules[1];
  const workspace = /\/(services|packages)\/([^/]+)\//.exec(url);
  if (workspace?.[2]) return `@appdist/${workspace[2]}`;
  return url;
}

function shortLocation(url: string): string {
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*node_modules\//, '')
    .replace(/^.*\/(services|packages)\//, '');
}

function top(map: Map<string, number>, total: number, limit: number): ProfileEntry[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, ms]) => ({ name, ms, share: total > 0 ? ms / total : 0 }));
}

/** Self time per function and per origin; the idle node (waiting in epoll) is left out. */
export function summarizeProfile(profile: CpuProfile, limit = 25): ProfileSummary {
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const functions = new Map<string, number>();
  const origins = new Map<string, number>();
  let totalMs = 0;
  for (const node of profile.nodes) {
    const ms = (selfUs.get(node.id) ?? 0) / 1000;
    const { functionName, url, lineNumber } = node.callFrame;
    if (ms === 0 || functionName === '(idle)') continue;
    totalMs += ms;
    const name = `${functionName || '(anonymous)'}${url ? ` ${shortLocation(url)}:${lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
    const origin = originOf(url, functionName);
    origins.set(origin, (origins.get(origin) ?? 0) + ms);
  }
  return {
    totalMs,
    functions: top(functions, totalMs, limit),
    origins: top(origins, totalMs, limit),
  };
}

export function formatProfileSummary(title: string, summary: ProfileSummary): string {
  const row = (entry: ProfileEntry) =>
    `    ${(entry.share * 100).toFixed(1).padStart(5)} %  ${entry.ms.toFixed(0).padStart(6)} ms  ${entry.name}`;
  return [
    `${title}: ${summary.totalMs.toFixed(0)} ms of CPU sampled`,
    '  by origin:',
    ...summary.origins.map(row),
    '  by function (self time):',
    ...summary.functions.map(row),
  ].join('\n');
}
