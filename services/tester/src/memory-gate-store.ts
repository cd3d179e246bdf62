import { bySwitchName, type GateStore, type SwitchKind, type SwitchState } from './gate-store.js';
import { type CanaryRef, canaryId } from './payload.js';

/** Switches in this process only: a restart closes them all (flagger-loadtester's behaviour). */
export class MemoryGateStore implements GateStore {
  readonly #switches: Record<SwitchKind, Map<string, SwitchState>> = {
    gate: new Map(),
    rollback: new Map(),
  };
  readonly #now: () => Date;

  constructor(options: { now?: () => Date } = {}) {
    this.#now = options.now ?? (() => new Date());
  }

  async isOpen(kind: SwitchKind, canary: CanaryRef): Promise<boolean> {
    return this.#switches[kind].get(canaryId(canary))?.open ?? false;
  }

  async set(kind: SwitchKind, canary: CanaryRef, open: boolean): Promise<SwitchState> {
    const state: SwitchState = {
      name: canary.name,
      namespace: canary.namespace,
      open,
      updatedAt: this.#now().toISOString(),
    };
    this.#switches[kind].set(canaryId(canary), state);
    return { ...state };
  }

  async list(kind: SwitchKind): Promise<SwitchState[]> {
    return [...this.#switches[kind].values()].map((state) => ({ ...state })).sort(bySwitchName);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
