import { loadConfig } from '@appdist/service-kit/config';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/config.js';

describe('configSchema', () => {
  it('defaults to the in-process store with the documented bounds', () => {
    const config = loadConfig(configSchema, { REDIS_URL: '' });
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.REDIS_KEY_PREFIX).toBe('appdist:');
    expect(config.MEMORY_MAX_KEYS).toBe(100_000);
    expect(config.REDIS_COMMAND_TIMEOUT_MS).toBe(500);
  });

  it('accepts redis:// and rediss:// URLs', () => {
    for (const url of ['redis://127.0.0.1:6379/0', 'rediss://user:pw@redis.example:6380']) {
      expect(loadConfig(configSchema, { REDIS_URL: url }).REDIS_URL).toBe(url);
    }
  });

  it('names each bad variable', () => {
    expect(() =>
      loadConfig(configSchema, {
        REDIS_URL: 'http://redis:6379',
        MEMORY_MAX_KEYS: '0',
        REDIS_COMMAND_TIMEOUT_MS: 'soon',
      }),
    ).toThrow(/REDIS_URL: .*redis:\/\/[\s\S]*MEMORY_MAX_KEYS: [\s\S]*REDIS_COMMAND_TIMEOUT_MS: /);
  });
});
