/**
 * SQLite through better-sqlite3: the only file that imports it. The embedded default store.
 *
 * With `synchronous = normal` (WAL) a commit survives the process being killed (`kill -9`); with
 * `full` it also survives a power loss, at the cost of an fsync per commit. One server instance
 * per file: several instances need PostgreSQL (./postgres.ts).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Row, SqlDriver } from './driver';

export type Synchronous = 'normal' | 'full';

export function openSqlite(path: string, options: { synchronous?: Synchronous } = {}): SqlDriver {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // One wrapper for every transaction: making one per call costs more than a small transaction.
  const inTransaction = db.transaction((fn: () => unknown) => fn());
  return {
    dialect: 'sqlite',
    shared: false,
    prepare(sql) {
      const stmt = db.prepare(sql);
      return {
        get: (...params) => stmt.get(...params) as Row | undefined,
        all: (...params) => stmt.all(...params) as Row[],
        run: (...params) => ({ changes: stmt.run(...params).changes }),
      };
    },
    exec: (sql) => void db.exec(sql),
    transaction: <T>(fn: () => T): T => inTransaction(fn) as T,
    close: () => db.close(),
  };
}
