import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
const db = await PGlite.create();
const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 1, inspect: true });
await server.start();
const [host, port] = server.getServerConn().split(':');
const pool = new pg.Pool({ host, port: Number(port), user: 'postgres', database: 'postgres', max: 1 });
pool.on('error', (e) => console.log('pool error', e.message));
await pool.query('create table t (a text unique)');
await pool.query("insert into t values ('a')");
for (const q of ["insert into t values ('a')", ["insert into t values ($1)", ['a']], 'select 1/0', ['select $1::int', ['x']]]) {
  try { await (Array.isArray(q) ? pool.query(q[0], q[1]) : pool.query(q)); } catch (e) { console.log('err', e.code, e.message); }
  try { console.log((await pool.query('select 1 as x')).rows); } catch (e) { console.log('after', e.message); }
}
await pool.end(); await server.stop(); await db.close();
