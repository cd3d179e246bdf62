import { loadConfig } from '@appdist/service-kit/config';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/config.js';

describe('configSchema', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(configSchema, {});
    expect(config).toMatchObject({
      CACHE_SERVICE_URL: 'http://cache:8080',
      DATABASE_SERVICE_URL: 'http://database:8080',
      CACHE_TIMEOUT_MS: 250,
      DATABASE_TIMEOUT_MS: 2000,
      DATABASE_RETRIES: 2,
      CACHE_TTL_SECONDS: 3600,
      CACHE_COOLDOWN_MS: 1000,
      CLICK_FLUSH_INTERVAL_MS: 1000,
    });
  });

  it('reads values from the environment and trims trailing slashes off URLs', () => {
    const config = loadConfig(configSchema, {
      CACHE_SERVICE_URL: 'http://127.0.0.1:9000/',
      DATABASE_RETRIES: '0',
      CACHE_COOLDOWN_MS: '0',
    });
    expect(config.CACHE_SERVICE_URL).toBe('http://127.0.0.1:9000');
    expect(config.DATABASE_RETRIES).toBe(0);
    expect(config.CACHE_COOLDOWN_MS).toBe(0);
  });

  it('names every variable it rejects', () => {
    expect(() =>
      loadConfig(configSchema, {
        DATABASE_SERVICE_URL: 'database:8080',
        CACHE_TIMEOUT_MS: '0',
        CACHE_TTL_SECONDS: '2592001',
        CLICK_FLUSH_INTERVAL_MS: 'soon',
      }),
    ).toThrow(
      /DATABASE_SERVICE_URL: .*http[\s\S]*CACHE_TIMEOUT_MS: [\s\S]*CACHE_TTL_SECONDS: [\s\S]*CLICK_FLUSH_INTERVAL_MS: /,
    );
  });
});
