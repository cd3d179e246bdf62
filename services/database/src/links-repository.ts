import { HttpError } from '@appdist/service-kit/errors';
import pg from 'pg';
import { inTransaction, query } from './sql.js';

export interface Link {
  code: string;
  url: string;
  createdAt: Date;
  clicks: number;
}

export interface LinkPage {
  items: Link[];
  /** Opaque; pass it back to get the next, older page. Null on the last page. */
  nextCursor: string | null;
}

export interface LinksRepository {
  /** Throws 409 code_taken when the code exists. */
  create(code: string, url: string): Promise<Link>;
  get(code: string): Promise<Link | undefined>;
  /** False when there was no such link. */
  delete(code: string): Promise<boolean>;
  /** Newest first. Throws 400 invalid_cursor for a cursor this service did not make. */
  list(limit: number, cursor?: string): Promise<LinkPage>;
  /** Adds counts to known codes, at most once per batch id; `applied` is false for a repeat. */
  applyClicks(batchId: string, counts: ReadonlyMap<string, number>): Promise<{ applied: boolean }>;
}

interface LinkRow {
  id: string;
  code: string;
  url: string;
  created_at: Date;
  clicks: string;
}

const COLUMNS = 'id, code, url, created_at, clicks';
// JSON numbers are exact only up to 2^53 - 1; saturate there rather than overflow or round.
const MAX_CLICKS = Number.MAX_SAFE_INTEGER;
// Callers retry a batch within seconds; a day of remembered ids is ample and keeps the table small.
const PRUNE_INTERVAL_MS = 15 * 60_000;

function toLink(row: LinkRow): Link {
  return { code: row.code, url: row.url, createdAt: row.created_at, clicks: Number(row.clicks) };
}

export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

/** The id a cursor stands for; only canonical encodings of a positive bigint are accepted. */
export function decodeCursor(cursor: string): string {
  const invalid = new HttpError(400, 'invalid_cursor', 'cursor is not one this service returned');
  if (!/^[A-Za-z0-9_-]{1,28}$/.test(cursor)) throw invalid;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[1-9][0-9]{0,18}$/.test(id) || BigInt(id) > 9_223_372_036_854_775_807n) throw invalid;
  // Node's base64url decoder tolerates junk; accept only what encodeCursor would produce.
  if (encodeCursor(id) !== cursor) throw invalid;
  return id;
}

export function createLinksRepository(
  pool: pg.Pool,
  clock: () => number = Date.now,
): LinksRepository {
  let lastPrunedAt = Number.NEGATIVE_INFINITY;

  // Best effort: a failed prune only means it is tried again next interval.
  async function pruneClickBatches(): Promise<void> {
    if (clock() - lastPrunedAt < PRUNE_INTERVAL_MS) return;
    lastPrunedAt = clock();
    await query(
      pool,
      "DELETE FROM click_batches WHERE applied_at < now() - interval '1 day'",
    ).catch(() => undefined);
  }

  return {
    async create(code, url) {
      try {
        const { rows } = await query<LinkRow>(
          pool,
          `INSERT INTO links (code, url) VALUES ($1, $2) RETURNING ${COLUMNS}`,
          [code, url],
        );
        const [row] = rows;
        if (!row) throw new Error('INSERT … RETURNING returned no row');
        return toLink(row);
      } catch (error) {
        if (error instanceof pg.DatabaseError && error.code === '23505') {
          throw new HttpError(409, 'code_taken', `code ${code} is taken`);
        }
        throw error;
      }
    },

    async get(code) {
      const { rows } = await query<LinkRow>(pool, `SELECT ${COLUMNS} FROM links WHERE code = $1`, [
        code,
      ]);
      return rows[0] && toLink(rows[0]);
    },

    async delete(code) {
      const { rowCount } = await query(pool, 'DELETE FROM links WHERE code = $1', [code]);
      return rowCount === 1;
    },

    async list(limit, cursor) {
      const before = cursor === undefined ? undefined : decodeCursor(cursor);
      // One extra row tells whether another page exists, so the last page says null.
      const { rows } =
        before === undefined
          ? await query<LinkRow>(pool, `SELECT ${COLUMNS} FROM links ORDER BY id DESC LIMIT $1`, [
              limit + 1,
            ])
          : await query<LinkRow>(
              pool,
              `SELECT ${COLUMNS} FROM links WHERE id < $1 ORDER BY id DESC LIMIT $2`,
              [before, limit + 1],
            );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(toLink),
        nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null,
      };
    },

    async applyClicks(batchId, counts) {
      const applied = await inTransaction(pool, async (client) => {
        // A concurrent duplicate waits here on the key and then inserts nothing.
        const batch = await client.query(
          'INSERT INTO click_batches (batch_id) VALUES ($1) ON CONFLICT DO NOTHING',
          [batchId],
        );
        if (batch.rowCount !== 1) return false;
        if (counts.size === 0) return true;
        // Rows are locked in id order, so batches touching the same links cannot deadlock.
        await client.query(
          `WITH counts AS (
             SELECT * FROM unnest($1::text[], $2::bigint[]) AS c(code, n)
           ), locked AS (
             SELECT links.id, counts.n FROM links JOIN counts USING (code)
             ORDER BY links.id FOR UPDATE OF links
           )
           UPDATE links SET clicks = LEAST(links.clicks + locked.n, $3::bigint)
           FROM locked WHERE links.id = locked.id`,
          [[...counts.keys()], [...counts.values()], MAX_CLICKS],
        );
        return true;
      });
      await pruneClickBatches();
      return { applied };
    },
  };
}
