/**
 * The small SQL port the store is written against, implemented once per database: ./sqlite.ts
 * (better-sqlite3, the embedded default) and ./postgres.ts (`pg`, when DATABASE_URL is set).
 *
 * Contract:
 * - Synchronous: a call returns once the database answered, so a request handler or the outbox
 *   that runs several statements inside {@link SqlDriver.transaction} is atomic with respect to
 *   everything else in this process (nothing else runs meanwhile).
 * - SQL is written once with `?` placeholders; each driver adapts it. Rows are plain objects with
 *   snake_case keys; integers (including BIGINT) are numbers.
 * - `transaction` nests: an inner one is a savepoint (a thrown error rolls back only it).
 */
export type Row = Record<string, unknown>;

export interface SqlStatement {
  get(...params: unknown[]): Row | undefined;
  all(...params: unknown[]): Row[];
  run(...params: unknown[]): { changes: number };
}

export interface SqlDriver {
  readonly dialect: 'sqlite' | 'postgres';
  /** Several server instances may share this database (leases matter, recovery is per call). */
  readonly shared: boolean;
  prepare(sql: string): SqlStatement;
  /** Runs statements without parameters (migrations). */
  exec(sql: string): void;
  transaction<T>(fn: () => T): T;
  close(): void;
}
