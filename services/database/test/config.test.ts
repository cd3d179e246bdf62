import { ConfigError, loadConfig } from '@appdist/service-kit/config';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/config.js';

describe('configSchema', () => {
  it('defaults to embedded PGlite under .data/pglite', () => {
    const config = loadConfig(configSchema, {});
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config).toMatchObject({
      EMBEDDED_DATA_DIR: '.data/pglite',
      DATABASE_POOL_MAX: 10,
      DATABASE_STATEMENT_TIMEOUT_MS: 5_000,
      DATABASE_CONNECT_TIMEOUT_MS: 2_000,
      DATABASE_STARTUP_TIMEOUT_MS: 30_000,
    });
    expect(loadConfig(configSchema, { DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('accepts postgres:// and postgresql:// URLs only', () => {
    for (const url of ['postgres://u@h/db', 'postgresql://u:p@h:5433/db']) {
      expect(loadConfig(configSchema, { DATABASE_URL: url }).DATABASE_URL).toBe(url);
    }
    expect(() => loadConfig(configSchema, { DATABASE_URL: 'mysql://h/db' })).toThrow(ConfigError);
  });

  it('names the variable of a bad number', () => {
    expect(() => loadConfig(configSchema, { DATABASE_POOL_MAX: '0' })).toThrow(/DATABASE_POOL_MAX/);
    expect(() => loadConfig(configSchema, { DATABASE_CONNECT_TIMEOUT_MS: 'soon' })).toThrow(
      /DATABASE_CONNECT_TIMEOUT_MS/,
    );
  });
});
