import { loadConfig } from '@appdist/service-kit/config';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/config.js';

describe('configSchema', () => {
  it('applies defaults', () => {
    const config = loadConfig(configSchema, {});
    expect(config.BACKEND_URL).toBe('http://backend:8080');
    expect(config.BACKEND_TIMEOUT_MS).toBe(3000);
    expect(config.PUBLIC_URL).toBeUndefined();
    expect(config.RECENT_LINKS).toBe(10);
  });

  it('normalises URLs and treats an empty PUBLIC_URL as unset', () => {
    const config = loadConfig(configSchema, {
      BACKEND_URL: 'http://127.0.0.1:9000/',
      PUBLIC_URL: 'https://s.example//',
    });
    expect(config.BACKEND_URL).toBe('http://127.0.0.1:9000');
    expect(config.PUBLIC_URL).toBe('https://s.example');
    expect(loadConfig(configSchema, { PUBLIC_URL: '' }).PUBLIC_URL).toBeUndefined();
  });

  it('names each bad variable', () => {
    expect(() =>
      loadConfig(configSchema, {
        BACKEND_URL: 'backend:8080',
        PUBLIC_URL: 'ftp://x',
        RECENT_LINKS: '0',
        BACKEND_TIMEOUT_MS: 'soon',
      }),
    ).toThrow(/BACKEND_URL[\s\S]*BACKEND_TIMEOUT_MS[\s\S]*PUBLIC_URL[\s\S]*RECENT_LINKS/);
  });
});
