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

/** One statement on a pooled client; connection failures become ServiceUnavailableError. */
export async function query<R extends pg.QueryResultRow>(
  pool: pg.Pool,
  text: string,
  values: readonly unknown[] = [],
): Promise<pg.QueryResult<R>> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw translate(error);
  }
  let keep = true;
  try {
    return await client.query<R>(text, [...values]);
  } catch (error) {
    keep = sessionSurvives(error);
    throw translate(error);
  } finally {
    client.release(!keep);
  }
}

/** Runs work between BEGIN and COMMIT on one client, rolling back on any error. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw translate(error);
  }
  let keep = true;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    keep =
      (error instanceof HttpError || sessionSurvives(error)) &&
      (await client.query('ROLLBACK').then(
        () => true,
        () => false,
      ));
    throw translate(error);
  } finally {
    client.release(!keep);
  }
}
