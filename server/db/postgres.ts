/**
 * PostgreSQL through `pg`: with ./pgWorker.mjs, the only code that knows about it. The store when
 * DATABASE_URL is set, so several server instances can share one database.
 *
 * Contract (./driver.ts): synchronous. `pg` is asynchronous, so one connection lives on a worker
 * thread and each statement blocks this thread until the worker has the answer (Atomics.wait on a
 * shared flag, then the reply is read with receiveMessageOnPort: the synckit pattern). That keeps
 * the store's one contract for both databases: whatever runs inside a transaction is atomic with
 * respect to this process, with no interleaving to reason about. The price is that this process
 * waits on each round trip (about 0.1 to 0.3 ms over a local socket): fine for a call log's
 * traffic, and the reason the figures in server/README.md are taken on SQLite.
 *
 * A statement that takes longer than `statementTimeoutMs` (a lost connection, a lock held
 * elsewhere) throws; so does every statement once the connection broke (the process should then
 * be restarted by its supervisor: the outbox and the reports it answered are safe in the
 * database).
 */
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { Row, SqlDriver, SqlStatement } from './driver';

export interface PostgresOptions {
  /** postgresql://user:password@host:port/db (or ?host=/socket/dir). Never logged. */
  connectionString: string;
  statementTimeoutMs?: number;
  applicationName?: string;
}

export class DatabaseError extends Error {
  readonly code: string | null;
  constructor(message: string, code: string | null) {
    super(message);
    this.name = 'DatabaseError';
    this.code = code;
  }
}

type Reply = { ok?: true; rows?: Row[]; rowCount?: number; error?: { message: string; code: string | null } };

/** `?` placeholders to `$1, $2...` (our SQL has no `?` inside string literals). */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export function connectPostgres({ connectionString, statementTimeoutMs = 30_000, applicationName = 'front-calls' }: PostgresOptions): SqlDriver {
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(fileURLToPath(new URL('./pgWorker.mjs', import.meta.url)), {
    workerData: { port: port2, signal, connectionString, applicationName },
    transferList: [port2],
    // The worker is plain JavaScript: no loader needed.
    execArgv: [],
  });
  worker.unref();
  let closed = false;

  const wait = (): Reply => {
    const deadline = Date.now() + statementTimeoutMs;
    for (;;) {
      const message = receiveMessageOnPort(port1);
      if (message) return message.message as Reply;
      const left = deadline - Date.now();
      if (left <= 0) throw new DatabaseError('PostgreSQL did not answer in time', 'TIMEOUT');
      Atomics.wait(signal, 0, 0, left);
      Atomics.store(signal, 0, 0);
    }
  };
  const ask = (message: Record<string, unknown>): Reply => {
    if (closed) throw new DatabaseError('the database is closed', null);
    Atomics.store(signal, 0, 0);
    port1.postMessage(message);
    const reply = wait();
    if (reply.error) throw new DatabaseError(reply.error.message, reply.error.code);
    return reply;
  };

  const started = wait();
  if (started.error) {
    void worker.terminate();
    // pg's connection errors name the host and the user, never the password.
    throw new DatabaseError(`could not connect to PostgreSQL (DATABASE_URL): ${started.error.message}`, started.error.code);
  }

  let statements = 0;
  let depth = 0;
  const query = (text: string, values: unknown[], name?: string) => ask({ text, values, ...(name ? { name } : {}) });

  return {
    dialect: 'postgres',
    shared: true,
    prepare(sql): SqlStatement {
      const text = numbered(sql);
      // A named statement is parsed once per connection.
      const name = `s${++statements}`;
      return {
        get: (...params) => query(text, params, name).rows?.[0],
        all: (...params) => query(text, params, name).rows ?? [],
        run: (...params) => ({ changes: query(text, params, name).rowCount ?? 0 }),
      };
    },
    exec(sql) {
      query(sql, []);
    },
    transaction<T>(fn: () => T): T {
      const level = depth++;
      query(level === 0 ? 'BEGIN' : `SAVEPOINT sp${level}`, []);
      try {
        const result = fn();
        query(level === 0 ? 'COMMIT' : `RELEASE SAVEPOINT sp${level}`, []);
        return result;
      } catch (error) {
        try {
          query(level === 0 ? 'ROLLBACK' : `ROLLBACK TO SAVEPOINT sp${level}`, []);
        } catch {
          // The connection is gone: the transaction is too.
        }
        throw error;
      } finally {
        depth--;
      }
    },
    close() {
      if (closed) return;
      try {
        ask({ close: true });
      } catch {
        // closing anyway
      }
      closed = true;
      port1.close();
      void worker.terminate();
    },
  };
}
