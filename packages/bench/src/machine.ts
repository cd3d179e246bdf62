import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

export type MachineInfo = ReturnType<typeof machineInfo>;

export function machineInfo() {
  return {
    cores: availableParallelism(),
    // Node reads the model name from /proc/cpuinfo on Linux.
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    // Other processes were running when this is well above 0.
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

export function describeMachine(info: MachineInfo): string {
  return `${info.cores} cores (${info.cpuModel}), ${info.memoryGiB} GiB, Node ${info.node}, ${info.platform}, load average ${info.loadAverage1m}`;
}
