/**
 * The schema, as numbered migrations for both databases. A database records the versions it has
 * (`schema_migrations`); opening one applies the missing ones, in order, each in a transaction
 * (on PostgreSQL under an advisory lock, so instances starting together apply each once).
 *
 * To change the schema: append a migration with the next version and its SQL for both
 * databases; never edit one that shipped. Types: SQLite `INTEGER` ↔ PostgreSQL `BIGINT` for
 * epoch milliseconds and ids (`BIGSERIAL` for generated ones), `INTEGER` for 0/1 flags, `TEXT`.
 */
import type { SqlDriver } from './driver';

export interface Migration {
  version: number;
  name: string;
  /** SQL, or a function for a step that must look at the database first. */
  sqlite: string | ((driver: SqlDriver) => void);
  postgres: string | ((driver: SqlDriver) => void);
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'calls, tokens, channels, idempotency keys, outbox',
    sqlite: `
CREATE TABLE IF NOT EXISTS channels (
  channel_id TEXT PRIMARY KEY,
  webhook_id TEXT NOT NULL UNIQUE,
  authorized_at INTEGER NOT NULL,
  deleted_at INTEGER
);
CREATE TABLE IF NOT EXISTS tokens (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL,
  extension TEXT,
  label TEXT,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX IF NOT EXISTS tokens_extension ON tokens(extension) WHERE extension IS NOT NULL;
CREATE TABLE IF NOT EXISTS calls (
  id TEXT PRIMARY KEY,
  direction TEXT NOT NULL,
  remote_number TEXT NOT NULL,
  remote_name TEXT,
  local_number TEXT,
  agent_email TEXT,
  agent_extension TEXT,
  parent_id TEXT,
  started_at INTEGER NOT NULL,
  front_state TEXT,
  pbx_call_id TEXT,
  pbx_linked INTEGER NOT NULL DEFAULT 0,
  channel_id TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_match ON calls(direction, remote_number, started_at);
CREATE UNIQUE INDEX IF NOT EXISTS calls_pbx ON calls(pbx_call_id) WHERE pbx_call_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS call_aliases (
  alias TEXT PRIMARY KEY,
  call_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plugin_events (
  call_ref TEXT NOT NULL,
  reporter TEXT NOT NULL,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (call_ref, reporter, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS report_keys (
  key TEXT PRIMARY KEY,
  hash TEXT NOT NULL,
  call_id TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  call_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  after_seq INTEGER,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  ambiguous INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  outcome TEXT,
  created_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_open ON outbox(state, seq) WHERE state IN ('pending', 'inflight');
CREATE INDEX IF NOT EXISTS outbox_call ON outbox(call_id, seq);
CREATE INDEX IF NOT EXISTS outbox_dead ON outbox(state, finished_at) WHERE state = 'dead';
`,
    postgres: `
CREATE TABLE IF NOT EXISTS channels (
  channel_id TEXT PRIMARY KEY,
  webhook_id TEXT NOT NULL UNIQUE,
  authorized_at BIGINT NOT NULL,
  deleted_at BIGINT
);
CREATE TABLE IF NOT EXISTS tokens (
  id BIGSERIAL PRIMARY KEY,
  email TEXT NOT NULL,
  extension TEXT,
  label TEXT,
  token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX IF NOT EXISTS tokens_extension ON tokens(extension) WHERE extension IS NOT NULL;
CREATE TABLE IF NOT EXISTS calls (
  id TEXT PRIMARY KEY,
  direction TEXT NOT NULL,
  remote_number TEXT NOT NULL,
  remote_name TEXT,
  local_number TEXT,
  agent_email TEXT,
  agent_extension TEXT,
  parent_id TEXT,
  started_at BIGINT NOT NULL,
  front_state TEXT,
  pbx_call_id TEXT,
  pbx_linked INTEGER NOT NULL DEFAULT 0,
  channel_id TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_match ON calls(direction, remote_number, started_at);
CREATE UNIQUE INDEX IF NOT EXISTS calls_pbx ON calls(pbx_call_id) WHERE pbx_call_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS call_aliases (
  alias TEXT PRIMARY KEY,
  call_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plugin_events (
  call_ref TEXT NOT NULL,
  reporter TEXT NOT NULL,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (call_ref, reporter, seq)
);
CREATE TABLE IF NOT EXISTS report_keys (
  key TEXT PRIMARY KEY,
  hash TEXT NOT NULL,
  call_id TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
  seq BIGSERIAL PRIMARY KEY,
  call_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  after_seq BIGINT,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  ambiguous INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT,
  outcome TEXT,
  created_at BIGINT NOT NULL,
  finished_at BIGINT
);
CREATE INDEX IF NOT EXISTS outbox_open ON outbox(state, seq) WHERE state IN ('pending', 'inflight');
CREATE INDEX IF NOT EXISTS outbox_call ON outbox(call_id, seq);
CREATE INDEX IF NOT EXISTS outbox_dead ON outbox(state, finished_at) WHERE state = 'dead';
`,
  },
  {
    // Every call has an owner and the id its owner's plugin uses, and a table of settings the
    // server learns at run time. Existing calls keep their Front id; their owner is the teammate
    // they were logged for and their client id is that Front id, so a plugin still reporting one
    // after the upgrade finds it. Existing aliases are namespaced the same way.
    version: 2,
    name: 'call ownership (owner, client_ref), settings',
    sqlite: (driver) => {
      // A database opened by the code before numbered migrations may have these columns already.
      const columns = new Set(driver.prepare('PRAGMA table_info(calls)').all().map((c) => c.name as string));
      if (!columns.has('owner')) {
        driver.exec(`ALTER TABLE calls ADD COLUMN owner TEXT;
          ALTER TABLE calls ADD COLUMN client_ref TEXT;
          UPDATE calls SET owner = agent_email, client_ref = CASE WHEN pbx_linked = 0 THEN id END;
          UPDATE call_aliases SET alias = (SELECT calls.agent_email FROM calls WHERE calls.id = call_aliases.call_id) || char(10) || alias
            WHERE EXISTS (SELECT 1 FROM calls WHERE calls.id = call_aliases.call_id AND calls.agent_email IS NOT NULL);`);
      }
      driver.exec(`CREATE INDEX IF NOT EXISTS calls_client_ref ON calls(client_ref, owner) WHERE client_ref IS NOT NULL;
        CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;`);
    },
    postgres: `
ALTER TABLE calls ADD COLUMN IF NOT EXISTS owner TEXT;
ALTER TABLE calls ADD COLUMN IF NOT EXISTS client_ref TEXT;
UPDATE calls SET owner = agent_email, client_ref = CASE WHEN pbx_linked = 0 THEN id END WHERE owner IS NULL AND client_ref IS NULL;
UPDATE call_aliases SET alias = (SELECT calls.agent_email FROM calls WHERE calls.id = call_aliases.call_id) || chr(10) || alias
  WHERE EXISTS (SELECT 1 FROM calls WHERE calls.id = call_aliases.call_id AND calls.agent_email IS NOT NULL);
CREATE INDEX IF NOT EXISTS calls_client_ref ON calls(client_ref, owner) WHERE client_ref IS NOT NULL;
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at BIGINT NOT NULL);
`,
  },
  {
    version: 3,
    name: 'call leases: which instance sends a call (several instances on one database)',
    sqlite: `
CREATE TABLE IF NOT EXISTS call_leases (
  call_id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  lease_until INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS outbox_skipped ON outbox(outcome) WHERE outcome = 'skipped';
`,
    postgres: `
CREATE TABLE IF NOT EXISTS call_leases (
  call_id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  lease_until BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_skipped ON outbox(outcome) WHERE outcome = 'skipped';
`,
  },
  {
    version: 4,
    name: "state several instances share: Front's budget, seen signatures, failed authentications",
    // Used only on a shared database (PostgreSQL); created on both so the schema is one.
    sqlite: `
CREATE TABLE IF NOT EXISTS front_budget (id INTEGER PRIMARY KEY, front_limit INTEGER, remaining INTEGER, reset_at INTEGER, paused_until INTEGER NOT NULL DEFAULT 0);
INSERT INTO front_budget (id) VALUES (1) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS front_requests_sent (id INTEGER PRIMARY KEY, resource TEXT NOT NULL, sent_at INTEGER NOT NULL, done_at INTEGER);
CREATE INDEX IF NOT EXISTS front_requests_sent_at ON front_requests_sent(sent_at);
CREATE TABLE IF NOT EXISTS seen_signatures (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS auth_failures (address TEXT PRIMARY KEY, since INTEGER NOT NULL, count INTEGER NOT NULL) WITHOUT ROWID;
`,
    postgres: `
CREATE TABLE IF NOT EXISTS front_budget (id INTEGER PRIMARY KEY, front_limit INTEGER, remaining INTEGER, reset_at BIGINT, paused_until BIGINT NOT NULL DEFAULT 0);
INSERT INTO front_budget (id) VALUES (1) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS front_requests_sent (id BIGSERIAL PRIMARY KEY, resource TEXT NOT NULL, sent_at BIGINT NOT NULL, done_at BIGINT);
CREATE INDEX IF NOT EXISTS front_requests_sent_at ON front_requests_sent(sent_at);
CREATE TABLE IF NOT EXISTS seen_signatures (key TEXT PRIMARY KEY, expires_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS auth_failures (address TEXT PRIMARY KEY, since BIGINT NOT NULL, count INTEGER NOT NULL);
`,
  },
];

/** Applies the migrations `driver`'s database lacks; the versions applied now. */
export function migrate(driver: SqlDriver, migrations: readonly Migration[] = MIGRATIONS, now = Date.now): number[] {
  driver.exec(
    `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at ${driver.dialect === 'postgres' ? 'BIGINT' : 'INTEGER'} NOT NULL)`,
  );
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    driver.transaction(() => {
      // Instances starting together: the first applies it, the others wait here, then skip it.
      if (driver.dialect === 'postgres') driver.prepare('SELECT pg_advisory_xact_lock(8164921)').get();
      if (driver.prepare('SELECT version FROM schema_migrations WHERE version = ?').get(migration.version)) return;
      const step = driver.dialect === 'postgres' ? migration.postgres : migration.sqlite;
      if (typeof step === 'string') driver.exec(step);
      else step(driver);
      driver.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, now());
      applied.push(migration.version);
    });
  }
  return applied;
}
