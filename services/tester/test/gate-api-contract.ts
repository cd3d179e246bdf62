import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Answer, flaggerPayload, post, send } from './helpers.js';

export interface TesterTarget {
  name: string;
  /** A tester whose gate store has no switch set yet. */
  start(): Promise<{ url: string; stop(): Promise<void> }>;
}

function expectText(answer: Answer, status: number, text: string): void {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
  expect(answer.text.trim()).toBe(text);
}

/** The gate and rollback flows operators and Flagger go through, on any store. */
export function gateApiContract(target: TesterTarget): void {
  let url = '';
  let stop: () => Promise<void> = async () => {};
  beforeAll(async () => {
    ({ url, stop } = await target.start());
  });
  afterAll(async () => {
    await stop();
  });
  const backend = { name: 'backend', namespace: 'app' };

  it('holds a canary at a closed gate until an operator opens it, and again once closed', async () => {
    const check = () => post(url, '/gate/check', flaggerPayload());
    expectText(await check(), 403, 'gate closed: open it with appdist approve app/backend');

    const opened = await post(url, '/gate/open', backend);
    expect(opened.status).toBe(202);
    expect(opened.json).toMatchObject({ kind: 'gate', ...backend, open: true });
    expectText(await check(), 200, 'approved');
    // The other canaries' gates stay closed.
    expect((await post(url, '/gate/check', flaggerPayload({}, { name: 'frontend' }))).status).toBe(
      403,
    );
    expect(
      (await post(url, '/gate/check', flaggerPayload({}, { namespace: 'staging' }))).status,
    ).toBe(403);

    const closed = await post(url, '/gate/close', backend);
    expect(closed.status).toBe(202);
    expect(closed.json).toMatchObject({ kind: 'gate', ...backend, open: false });
    expect((await check()).status).toBe(403);
  });

  it('signals a rollback only after one was requested, and stops once closed', async () => {
    const check = () => post(url, '/rollback/check', flaggerPayload({}, { name: 'cache' }));
    expectText(
      await check(),
      403,
      'no rollback requested: request one with appdist rollback app/cache',
    );
    expect((await post(url, '/rollback/open', { name: 'cache', namespace: 'app' })).status).toBe(
      202,
    );
    expectText(await check(), 200, 'rollback requested for app/cache');
    // A rollback request is not an approval, and the reverse.
    expect((await post(url, '/gate/check', flaggerPayload({}, { name: 'cache' }))).status).toBe(
      403,
    );
    expect((await post(url, '/rollback/close', { name: 'cache', namespace: 'app' })).status).toBe(
      202,
    );
    expect((await check()).status).toBe(403);
  });

  it('lists gates and rollbacks that were opened or closed', async () => {
    await post(url, '/gate/open', { name: 'database', namespace: 'app' });
    const res = await send(url, 'GET', '/gates');
    expect(res.status).toBe(200);
    const body = res.json as { gates: unknown[]; rollbacks: unknown[] };
    expect(body.gates).toEqual([
      { name: 'backend', namespace: 'app', open: false, updatedAt: expect.any(String) },
      { name: 'database', namespace: 'app', open: true, updatedAt: expect.any(String) },
    ]);
    expect(body.rollbacks).toEqual([
      { name: 'cache', namespace: 'app', open: false, updatedAt: expect.any(String) },
    ]);
  });

  it('opens a gate from curl -d, which sends a form content type', async () => {
    const res = await send(url, 'POST', '/gate/open', {
      raw: '{"name":"curl","namespace":"app"}',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(202);
    expect((await post(url, '/gate/check', flaggerPayload({}, { name: 'curl' }))).status).toBe(200);
  });

  it('keeps flagger-loadtester’s unconditional endpoints', async () => {
    expectText(await post(url, '/gate/approve', flaggerPayload()), 200, 'approved');
    expectText(
      await post(url, '/gate/halt', flaggerPayload()),
      403,
      'halted: /gate/halt never approves',
    );
  });
}
