import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  /** 1-minute load average: other processes were running when this is well above 0. */
  loadAverage1m: number;
}

export function machineInfo(): MachineInfo {
  return {
    cores: availableParallelism(),
    // Node reads the model name from /proc/cpuinfo on Linux.
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

export function describeMachine(info: MachineInfo): string {
  return `${info.cores} cores (${info.cpuModel}), ${info.memoryGiB} GiB, Node ${info.node}, ${info.platform}, load average ${info.loadAverage1m}`;
}
