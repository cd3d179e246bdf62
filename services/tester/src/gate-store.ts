import type { CanaryRef } from './payload.js';

/**
 * `gate`: manual approval (confirm-rollout / confirm-promotion hooks pass while it is open).
 * `rollback`: a human-triggered rollback (the rollback hook rolls back while it is open).
 */
export type SwitchKind = 'gate' | 'rollback';

export interface SwitchState extends CanaryRef {
  open: boolean;
  /** When it was last opened or closed, ISO 8601. */
  updatedAt: string;
}

/**
 * Where gate and rollback switches live. Every switch starts closed, as in flagger-loadtester;
 * unlike it, the Redis store keeps them across restarts and replicas.
 */
export interface GateStore {
  isOpen(kind: SwitchKind, canary: CanaryRef): Promise<boolean>;
  set(kind: SwitchKind, canary: CanaryRef, open: boolean): Promise<SwitchState>;
  /** Every switch opened or closed so far, sorted by namespace and name. */
  list(kind: SwitchKind): Promise<SwitchState[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function bySwitchName(a: SwitchState, b: SwitchState): number {
  return a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name);
}
