import { HttpError, ServiceUnavailableError } from '@appdist/service-kit/errors';
import pg from 'pg';

// SQLSTATE classes that say "the database cannot serve this now", not "this request is wrong":
// 08 connection exception, 28 invalid authorization, 3D invalid catalog name (database gone),
// 40 transaction rollback (deadlock, serialization), 53 insufficient resources,
// 57 operator intervention (shutdown, statement timeout).
const UNAVAILABLE_CLASSES = new Set(['08', '28', '3D', '40', '53', '57']);
// After these the session itself is gone; any other server error leaves the connection usable.
const BROKEN_SESSION_PREFIXES = ['08', '57P'];

/** True when an error means PostgreSQL is unreachable or cannot serve right now, so 503 and retry. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof ServiceUnavailableError) return true;
  if (error instanceof pg.DatabaseError) {
    return UNAVAILABLE_CLASSES.has(String(error.code).slice(0, 2));
  }
  // Everything else pg and pg-pool throw is about the connection: refused, reset, timed out,
  // "Connection terminated unexpectedly", "timeout exceeded when trying to connect", …
  // Type and range errors are bugs in this service, and stay 500s.
  return error instanceof Error && !(error instanceof TypeError || error instanceof RangeError);
}

function translate(error: unknown): unknown {
  if (error instanceof HttpError || !isDatabaseUnavailable(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  const unavailable = new ServiceUnavailableError(`database unavailable: ${reason}`);
  unavailable.cause = error;
  return unavailable;
}

// pg-pool destroys a client after any failed query; keep it when only the statement failed,
// so a 409 does not cost a reconnect (and PGlite's single connection is never churned).
function sessionSurvives(error: unknown): boolean {
  if (!(error instanceof pg.DatabaseError)) return false;
  const code = String(error.code);
  return !BROKEN_SESSION_PREFIXES.some((prefix) => code.startsWith(prefix));
}

/**
 * Runs work on one pooled client; connection failures become ServiceUnavailableError. After a
 * failure, `keep` says whether the client may go back to the pool or must be destroyed.
 */
async function withClient<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  keep: (client: pg.PoolClient, error: unknown) => boolean | Promise<boolean>,
): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw translate(error);
  }
  let reusable = true;
  try {
    return await work(client);
  } catch (error) {
    reusable = await keep(client, error);
    throw translate(error);
  } finally {
    client.release(!reusable);
  }
}

/** One statement on a pooled client; connection failures become ServiceUnavailableError. */
export function query<R extends pg.QueryResultRow>(
  pool: pg.Pool,
  text: string,
  values: readonly unknown[] = [],
): Promise<pg.QueryResult<R>> {
  return withClient(
    pool,
    (client) => client.query<R>(text, [...values]),
    (_client, error) => sessionSurvives(error),
  );
}

/** Runs work between BEGIN and COMMIT on one client, rolling back on any error. */
export function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  return withClient(
    pool,
    async (client) => {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    },
    async (client, error) =>
      (error instanceof HttpError || sessionSurvives(error)) &&
      client.query('ROLLBACK').then(
        () => true,
        () => false,
      ),
  );
}
