import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startThrowawayPostgres, startThrowawayRedis } from '../src/throwaway.js';

describe('throwaway servers', () => {
  it('redis can be killed and started again on the same port', async () => {
    const server = await startThrowawayRedis();
    try {
      const ping = async () => {
        const client = new Redis(server.url, {
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        });
        client.on('error', () => undefined);
        try {
          await client.connect();
          return await client.ping();
        } finally {
          client.disconnect();
        }
      };
      expect(await ping()).toBe('PONG');
      await server.kill();
      await expect(ping()).rejects.toThrow();
      await server.start();
      expect(await ping()).toBe('PONG');
    } finally {
      await server.dispose();
    }
  });

  it('postgres can be stopped and started again with its data', async () => {
    const server = await startThrowawayPostgres();
    const query = async (sql: string) => {
      const client = new pg.Client({
        connectionString: server.url,
        connectionTimeoutMillis: 2_000,
      });
      await client.connect();
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    };
    try {
      await query('CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)');
      await server.kill();
      await expect(query('SELECT 1')).rejects.toThrow();
      await server.start();
      expect(await query('SELECT n FROM kept')).toEqual([{ n: 7 }]);
    } finally {
      await server.dispose();
    }
  });
});
