import { loadConfig } from '@appdist/service-kit/config';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/config.js';

describe('configSchema', () => {
  it('keeps gates in memory by default, with the documented bounds', () => {
    const config = loadConfig(configSchema, { REDIS_URL: '' });
    expect(config).toMatchObject({
      REDIS_URL: undefined,
      REDIS_KEY_PREFIX: 'appdist-tester:',
      REDIS_COMMAND_TIMEOUT_MS: 500,
      CONFORMANCE_TIMEOUT_MS: 50_000,
      LOAD_MAX_RPS: 200,
      LOAD_MAX_DURATION_SECONDS: 600,
      LOAD_MAX_JOBS: 20,
      LOAD_REQUEST_TIMEOUT_MS: 5_000,
    });
  });

  it('stays below the 60 s webhook timeout of the Canaries by default', () => {
    expect(loadConfig(configSchema, {}).CONFORMANCE_TIMEOUT_MS).toBeLessThan(60_000);
  });

  it('names each bad variable', () => {
    expect(() =>
      loadConfig(configSchema, {
        REDIS_URL: 'http://redis:6379',
        LOAD_MAX_RPS: '0',
        LOAD_MAX_JOBS: 'many',
        CONFORMANCE_TIMEOUT_MS: '-1',
      }),
    ).toThrow(
      /REDIS_URL: [\s\S]*CONFORMANCE_TIMEOUT_MS: [\s\S]*LOAD_MAX_RPS: [\s\S]*LOAD_MAX_JOBS: /,
    );
  });
});
