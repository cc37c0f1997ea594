/**
 * The store: every query the server makes, written once over the SQL port (./driver.ts), on
 * SQLite (./sqlite.ts, the embedded default) or PostgreSQL (./postgres.ts, when DATABASE_URL is
 * set); the schema is ./migrations.ts.
 *
 * Contract:
 * - Every method is synchronous and runs to completion before the event loop moves on, so a
 *   request handler that calls several of them inside {@link Store.transaction} is atomic with
 *   respect to every other request and to the outbox worker.
 * - A method that returns has committed (outside a transaction) or will commit with the enclosing
 *   transaction. With `synchronous = normal` (WAL) a commit survives the process being killed
 *   (`kill -9`); with `full` it also survives a power loss, at the cost of an fsync per commit.
 * - Rows are returned as plain objects of the types below; no driver type leaves this file.
 */
import type { Direction, FrontCallStatus } from '../calls/mapping';
import type { Row, SqlDriver } from './driver';
import { migrate } from './migrations';
import { connectPostgres } from './postgres';
import { openSqlite, type Synchronous } from './sqlite';

export type { Synchronous } from './sqlite';

export interface ChannelRow {
  channelId: string;
  webhookId: string;
  authorizedAt: number;
  deletedAt: number | null;
}

export interface TokenRow {
  id: number;
  email: string;
  extension: string | null;
  label: string | null;
  createdAt: number;
  revokedAt: number | null;
}

export interface CallRow {
  /** The external_call_id Front knows the call by. */
  id: string;
  direction: Direction;
  remoteNumber: string;
  remoteName: string | null;
  localNumber: string | null;
  agentEmail: string | null;
  agentExtension: string | null;
  parentId: string | null;
  startedAt: number;
  /** The latest status queued for Front; null until the create is queued. */
  frontState: FrontCallStatus | null;
  pbxCallId: string | null;
  /** The PBX reports this call (matched or created by a PBX event). */
  pbxLinked: boolean;
  channelId: string | null;
  updatedAt: number;
  /** The teammate (email) whose reports may change this call; null: a PBX call no teammate claimed yet. */
  owner: string | null;
  /** The id the owner's plugin calls it by (its store key with `owner`); null for a PBX-made call. */
  clientRef: string | null;
}

export type OutboxKind = 'create' | 'status' | 'summary' | 'recording' | 'transcript';
export type OutboxState = 'pending' | 'inflight' | 'sent' | 'dead';

export interface OutboxRow {
  seq: number;
  callId: string;
  kind: OutboxKind;
  /** JSON text of the Front payload (for a recording: the source URL and recording type). */
  payload: string;
  /** Wait until this op is sent or dead (a transferred leg waits for its parent's create). */
  afterSeq: number | null;
  state: OutboxState;
  attempts: number;
  /** An earlier attempt may have reached Front (timeout, lost response, crash while in flight). */
  ambiguous: boolean;
  nextAttemptAt: number;
  lastError: string | null;
  /** `skipped`: a stale intermediate state not sent while behind Front's budget (outbox/stale.ts). */
  outcome: 'accepted' | 'presumed_applied' | 'skipped' | null;
  createdAt: number;
  finishedAt: number | null;
}

export interface NewCall {
  id: string;
  direction: Direction;
  remoteNumber: string;
  remoteName: string | null;
  localNumber: string | null;
  agentEmail: string | null;
  agentExtension: string | null;
  parentId: string | null;
  startedAt: number;
  pbxCallId: string | null;
  pbxLinked: boolean;
  owner: string | null;
  clientRef: string | null;
}

/** What claiming a call's lease gave: it was ours already, it is ours now, another instance has it. */
export type ClaimResult = 'held' | 'acquired' | 'taken';

export interface Store {
  transaction<T>(fn: () => T): T;
  close(): void;
  /** Which database: several instances may share a `postgres` one. */
  readonly dialect: 'sqlite' | 'postgres';
  readonly shared: boolean;

  // channels
  upsertChannel(channelId: string, webhookId: string, now: number): ChannelRow;
  getChannel(channelId: string): ChannelRow | null;
  getChannelByWebhook(webhookId: string): ChannelRow | null;
  /** The most recently authorized channel that is not deleted. */
  activeChannel(): ChannelRow | null;
  deleteChannel(channelId: string, now: number): void;

  // teammate tokens
  insertToken(t: { email: string; extension: string | null; label: string | null; tokenHash: string; now: number }): TokenRow;
  tokenByHash(tokenHash: string): TokenRow | null;
  tokenByExtension(extension: string): TokenRow | null;
  listTokens(): TokenRow[];
  revokeToken(id: number, now: number): boolean;

  // calls
  insertCall(call: NewCall, now: number): CallRow;
  getCall(id: string): CallRow | null;
  callByAlias(alias: string): CallRow | null;
  callByPbxId(pbxCallId: string): CallRow | null;
  addAlias(alias: string, callId: string): void;
  /** Calls in a direction with a remote number, started in [from, to], newest first. */
  callsForMatch(direction: Direction, remoteNumber: string, from: number, to: number): CallRow[];
  /** The same, only calls the PBX reported. */
  pbxCallsForMatch(direction: Direction, remoteNumber: string, from: number, to: number): CallRow[];
  setCallState(id: string, state: FrontCallStatus, now: number): void;
  linkPbx(id: string, pbxCallId: string | null, fields: { localNumber?: string | null; agentExtension?: string | null; agentEmail?: string | null }, now: number): void;
  setCallChannel(id: string, channelId: string): void;
  countCalls(): number;
  /** The call a teammate's plugin calls `clientRef` (the store key: owner + client id). */
  callOf(owner: string, clientRef: string): CallRow | null;
  /** Every call some plugin calls `clientRef`, newest first (whoever owns them). */
  callsByClientRef(clientRef: string): CallRow[];
  /** Hands a call over to another teammate (the PBX says they answered it). */
  setOwner(id: string, owner: string, now: number): void;

  // server settings learnt at run time (e.g. the parent_external_call_id form Front takes)
  getSetting(key: string): string | null;
  setSetting(key: string, value: string, now: number): void;

  // idempotency keys of reports
  lastPluginSeq(callRef: string, reporter: string): number;
  pluginEventHash(callRef: string, reporter: string, seq: number): string | null;
  insertPluginEvent(callRef: string, reporter: string, seq: number, hash: string, now: number): void;
  reportKeyHash(key: string): string | null;
  insertReportKey(key: string, hash: string, callId: string, now: number): void;

  // outbox
  enqueue(op: { callId: string; kind: OutboxKind; payload: string; afterSeq: number | null; now: number }): number;
  getOp(seq: number): OutboxRow | null;
  openOps(): OutboxRow[];
  /** Ops in flight when the process stopped: they may have reached Front. */
  recoverInflight(): number;
  markInflight(seq: number, now: number): void;
  markSent(seq: number, outcome: 'accepted' | 'presumed_applied', note: string | null, now: number): void;
  markRetry(seq: number, nextAttemptAt: number, error: string, ambiguous: boolean): void;
  /** Stale requests not sent: finished with outcome `skipped` and the reason. */
  markSkipped(seqs: readonly number[], note: string, now: number): void;
  markDead(seq: number, reason: string, now: number): void;
  setLastError(seq: number, error: string): void;
  /** The create op of a call, if any. */
  createOpOf(callId: string): OutboxRow | null;
  deadOps(limit: number): OutboxRow[];
  opsOfCall(callId: string): OutboxRow[];
  /** `sent` includes `skipped` (stale states not sent while behind Front's budget). */
  outboxCounts(): Record<OutboxState, number> & { oldestPendingAt: number | null; skipped: number };
  /** Pending ops of calls on a channel (deleted channels dead-letter them). */
  openOpsOnChannel(channelId: string): OutboxRow[];
  /** The call's first unfinished op (pending or inflight), if any. */
  headOp(callId: string): OutboxRow | null;
  /** Ops whose answer is in flight are marked in flight only with the lease: false if it was lost. */
  markInflightLeased(seq: number, callId: string, owner: string, now: number): boolean;

  // call leases: one instance at a time sends a call's requests (several instances, one database)
  /**
   * Claims (or renews) the call for `owner` until `until`, unless another owner's lease is still
   * running at `now`. Never waits for another instance (a lease row being claimed elsewhere is
   * `taken`). `acquired` (not `held`) when it was not ours: its rows left in flight by the previous
   * owner are then pending again, flagged ambiguous (counted in `recovered`).
   */
  claimCall(callId: string, owner: string, until: number, now: number, wasHeld: boolean): { result: ClaimResult; recovered: number };
  /** Extends every lease of `owner` (a heartbeat). */
  renewLeases(owner: string, until: number): void;
  releaseCall(callId: string, owner: string): void;
  /** Gives up every lease of `owner` (a clean stop: the others need not wait for them to run out). */
  releaseLeasesOf(owner: string): void;
  /** Forgets every lease (an embedded database at start: it has one instance). */
  releaseAllLeases(): void;
  /** Calls with unfinished ops that `owner` holds or may claim (no running lease of another). */
  claimableCalls(owner: string, now: number, limit: number): string[];

  // state several instances share (used on a shared database; one process keeps it in memory)
  /** Front's budget as the instances know it, locked until the transaction ends (instances take turns). */
  lockBudget(): SharedBudgetRow;
  setBudget(row: SharedBudgetRow): void;
  /**
   * Requests counted in the window: those ending at or after `since` (a request ends at its
   * answer, never while in flight; one in flight longer than `inflightCapMs` is taken to have ended
   * then: its instance died), of `resource` when given: when the nth latest of them ends
   * (`Infinity`: in flight; null: fewer than n), what the pacer's `nextFreeOf` needs, computed in
   * the database so that one row comes back.
   */
  budgetNthLatest(since: number, now: number, inflightCapMs: number, resource: string | null, nth: number): number | null;
  /** How many requests are counted in the window (as above). */
  budgetCount(since: number, inflightCapMs: number): number;
  /** A request leaves (counted from now until `budgetRequestDone`); its id. */
  budgetRequestSent(resource: string, now: number): number;
  budgetRequestDone(id: number, now: number): void;
  /** Forgets requests that ended before `before`. */
  pruneBudgetRequests(before: number, inflightCapMs: number): void;
  /** True the first time `key` is seen (remembered until `expiresAt`); false while remembered. */
  firstSeenSignature(key: string, expiresAt: number, now: number): boolean;
  pruneSignatures(now: number): void;
  /** Failed authentications from `address` in the window that started at or after `windowStart`. */
  authFailures(address: string, windowStart: number): { since: number; count: number } | null;
  /** One more failure: a new window starts at `now` if the last began before `windowStart`. */
  addAuthFailure(address: string, now: number, windowStart: number): void;
  pruneAuthFailures(windowStart: number): void;
}

export interface SharedBudgetRow {
  frontLimit: number | null;
  remaining: number | null;
  resetAt: number | null;
  pausedUntil: number;
}



const channelOf = (r: Row): ChannelRow => ({
  channelId: r.channel_id as string,
  webhookId: r.webhook_id as string,
  authorizedAt: r.authorized_at as number,
  deletedAt: (r.deleted_at as number | null) ?? null,
});

const tokenOf = (r: Row): TokenRow => ({
  id: r.id as number,
  email: r.email as string,
  extension: (r.extension as string | null) ?? null,
  label: (r.label as string | null) ?? null,
  createdAt: r.created_at as number,
  revokedAt: (r.revoked_at as number | null) ?? null,
});

const callOf = (r: Row): CallRow => ({
  id: r.id as string,
  direction: r.direction as Direction,
  remoteNumber: r.remote_number as string,
  remoteName: (r.remote_name as string | null) ?? null,
  localNumber: (r.local_number as string | null) ?? null,
  agentEmail: (r.agent_email as string | null) ?? null,
  agentExtension: (r.agent_extension as string | null) ?? null,
  parentId: (r.parent_id as string | null) ?? null,
  startedAt: r.started_at as number,
  frontState: (r.front_state as FrontCallStatus | null) ?? null,
  pbxCallId: (r.pbx_call_id as string | null) ?? null,
  pbxLinked: r.pbx_linked === 1,
  channelId: (r.channel_id as string | null) ?? null,
  updatedAt: r.updated_at as number,
  owner: (r.owner as string | null) ?? null,
  clientRef: (r.client_ref as string | null) ?? null,
});

const opOf = (r: Row): OutboxRow => ({
  seq: r.seq as number,
  callId: r.call_id as string,
  kind: r.kind as OutboxKind,
  payload: r.payload as string,
  afterSeq: (r.after_seq as number | null) ?? null,
  state: r.state as OutboxState,
  attempts: r.attempts as number,
  ambiguous: r.ambiguous === 1,
  nextAttemptAt: r.next_attempt_at as number,
  lastError: (r.last_error as string | null) ?? null,
  outcome: (r.outcome as OutboxRow['outcome']) ?? null,
  createdAt: r.created_at as number,
  finishedAt: (r.finished_at as number | null) ?? null,
});

/** Opens (and creates or migrates) the SQLite database at `path`; `:memory:` for a throwaway one. */
export function openStore(path: string, options: { synchronous?: Synchronous } = {}): Store {
  return createStore(openSqlite(path, options));
}

/** PostgreSQL when `databaseUrl` is set, else SQLite at `databasePath`; migrated. */
export function openDatabase(options: { databaseUrl: string | null; databasePath: string; synchronous?: Synchronous }): Store {
  return options.databaseUrl
    ? createStore(connectPostgres({ connectionString: options.databaseUrl }))
    : openStore(options.databasePath, options.synchronous ? { synchronous: options.synchronous } : {});
}

/** The store over a driver, after applying the migrations it lacks. */
export function createStore(driver: SqlDriver): Store {
  migrate(driver);
  const pg = driver.dialect === 'postgres';
  const q = (sql: string) => driver.prepare(sql);

  const s = {
    upsertChannel: q(
      `INSERT INTO channels (channel_id, webhook_id, authorized_at) VALUES (?, ?, ?)
       ON CONFLICT(channel_id) DO UPDATE SET authorized_at = excluded.authorized_at, deleted_at = NULL`,
    ),
    getChannel: q('SELECT * FROM channels WHERE channel_id = ?'),
    channelByWebhook: q('SELECT * FROM channels WHERE webhook_id = ?'),
    activeChannel: q('SELECT * FROM channels WHERE deleted_at IS NULL ORDER BY authorized_at DESC, channel_id DESC LIMIT 1'),
    deleteChannel: q('UPDATE channels SET deleted_at = ? WHERE channel_id = ?'),

    insertToken: q('INSERT INTO tokens (email, extension, label, token_hash, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *'),
    tokenByHash: q('SELECT * FROM tokens WHERE token_hash = ? AND revoked_at IS NULL'),
    tokenByExtension: q('SELECT * FROM tokens WHERE extension = ? AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1'),
    listTokens: q('SELECT * FROM tokens ORDER BY id'),
    revokeToken: q('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),

    insertCall: q(
      `INSERT INTO calls (id, direction, remote_number, remote_name, local_number, agent_email, agent_extension,
         parent_id, started_at, pbx_call_id, pbx_linked, owner, client_ref, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // On PostgreSQL the row is locked until the transaction ends: two instances taking reports of
    // one call at once apply them one after the other (each sees the other's state).
    getCall: q(`SELECT * FROM calls WHERE id = ?${pg ? ' FOR UPDATE' : ''}`),
    callByAlias: q('SELECT calls.* FROM call_aliases JOIN calls ON calls.id = call_aliases.call_id WHERE call_aliases.alias = ?'),
    callByPbxId: q('SELECT * FROM calls WHERE pbx_call_id = ?'),
    addAlias: q('INSERT INTO call_aliases (alias, call_id) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    callsForMatch: q(
      'SELECT * FROM calls WHERE direction = ? AND remote_number = ? AND started_at BETWEEN ? AND ? ORDER BY started_at DESC LIMIT 20',
    ),
    pbxCallsForMatch: q(
      'SELECT * FROM calls WHERE direction = ? AND remote_number = ? AND pbx_linked = 1 AND started_at BETWEEN ? AND ? ORDER BY started_at DESC LIMIT 20',
    ),
    setCallState: q('UPDATE calls SET front_state = ?, updated_at = ? WHERE id = ?'),
    linkPbx: q(
      `UPDATE calls SET pbx_linked = 1, pbx_call_id = COALESCE(pbx_call_id, ?),
         local_number = COALESCE(local_number, ?), agent_extension = COALESCE(agent_extension, ?),
         agent_email = COALESCE(agent_email, ?), updated_at = ? WHERE id = ?`,
    ),
    setCallChannel: q('UPDATE calls SET channel_id = ? WHERE id = ? AND channel_id IS NULL'),
    countCalls: q('SELECT COUNT(*) AS n FROM calls'),
    callOf: q('SELECT * FROM calls WHERE client_ref = ? AND owner = ? ORDER BY started_at DESC LIMIT 1'),
    callsByClientRef: q('SELECT * FROM calls WHERE client_ref = ? ORDER BY started_at DESC LIMIT 20'),
    setOwner: q('UPDATE calls SET owner = ?, updated_at = ? WHERE id = ?'),
    getSetting: q('SELECT value FROM settings WHERE key = ?'),
    setSetting: q(
      'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    ),

    lastPluginSeq: q('SELECT MAX(seq) AS seq FROM plugin_events WHERE call_ref = ? AND reporter = ?'),
    pluginEventHash: q('SELECT hash FROM plugin_events WHERE call_ref = ? AND reporter = ? AND seq = ?'),
    insertPluginEvent: q('INSERT INTO plugin_events (call_ref, reporter, seq, hash, created_at) VALUES (?, ?, ?, ?, ?)'),
    reportKeyHash: q('SELECT hash FROM report_keys WHERE key = ?'),
    insertReportKey: q('INSERT INTO report_keys (key, hash, call_id, created_at) VALUES (?, ?, ?, ?)'),

    enqueue: q(
      `INSERT INTO outbox (call_id, kind, payload, after_seq, state, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, 'pending', ?, ?) RETURNING seq`,
    ),
    getOp: q('SELECT * FROM outbox WHERE seq = ?'),
    openOps: q("SELECT * FROM outbox WHERE state IN ('pending', 'inflight') ORDER BY seq"),
    recoverInflight: q("UPDATE outbox SET state = 'pending', ambiguous = 1 WHERE state = 'inflight'"),
    markInflight: q("UPDATE outbox SET state = 'inflight', attempts = attempts + 1 WHERE seq = ?"),
    markSent: q("UPDATE outbox SET state = 'sent', outcome = ?, last_error = COALESCE(?, last_error), finished_at = ? WHERE seq = ?"),
    markRetry: q("UPDATE outbox SET state = 'pending', next_attempt_at = ?, last_error = ?, ambiguous = CASE WHEN ? = 1 THEN 1 ELSE ambiguous END WHERE seq = ?"),
    markDead: q("UPDATE outbox SET state = 'dead', last_error = ?, finished_at = ? WHERE seq = ?"),
    markSkipped: q("UPDATE outbox SET state = 'sent', outcome = 'skipped', last_error = ?, finished_at = ? WHERE seq = ? AND state = 'pending'"),
    setLastError: q('UPDATE outbox SET last_error = ? WHERE seq = ?'),
    createOpOf: q("SELECT * FROM outbox WHERE call_id = ? AND kind = 'create' ORDER BY seq LIMIT 1"),
    deadOps: q("SELECT * FROM outbox WHERE state = 'dead' ORDER BY finished_at DESC, seq DESC LIMIT ?"),
    opsOfCall: q('SELECT * FROM outbox WHERE call_id = ? ORDER BY seq'),
    // Counted through the partial indexes: the table itself grows with every request ever sent.
    openCounts: q("SELECT state, COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE state IN ('pending', 'inflight') GROUP BY state"),
    deadCount: q("SELECT COUNT(*) AS n FROM outbox WHERE state = 'dead'"),
    totalCount: q('SELECT COUNT(*) AS n FROM outbox'),
    headOp: q("SELECT * FROM outbox WHERE call_id = ? AND state IN ('pending', 'inflight') ORDER BY seq LIMIT 1"),
    markInflightLeased: q(
      `UPDATE outbox SET state = 'inflight', attempts = attempts + 1 WHERE seq = ? AND state = 'pending'
       AND EXISTS (SELECT 1 FROM call_leases WHERE call_leases.call_id = ? AND owner = ? AND lease_until > ?)`,
    ),
    // Row locking: a lease row another instance is claiming right now is skipped, never waited for.
    leaseOf: q(`SELECT owner, lease_until FROM call_leases WHERE call_id = ?${pg ? ' FOR UPDATE SKIP LOCKED' : ''}`),
    insertLease: q('INSERT INTO call_leases (call_id, owner, lease_until) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING call_id'),
    updateLease: q('UPDATE call_leases SET owner = ?, lease_until = ? WHERE call_id = ?'),
    recoverCallInflight: q("UPDATE outbox SET state = 'pending', ambiguous = 1 WHERE call_id = ? AND state = 'inflight'"),
    renewLeases: q('UPDATE call_leases SET lease_until = ? WHERE owner = ?'),
    releaseCall: q('DELETE FROM call_leases WHERE call_id = ? AND owner = ?'),
    releaseAllLeases: q('DELETE FROM call_leases'),
    releaseLeasesOf: q('DELETE FROM call_leases WHERE owner = ?'),
    claimableCalls: q(
      `SELECT DISTINCT outbox.call_id FROM outbox LEFT JOIN call_leases ON call_leases.call_id = outbox.call_id
       WHERE outbox.state IN ('pending', 'inflight') AND (call_leases.call_id IS NULL OR call_leases.owner = ? OR call_leases.lease_until <= ?)
       LIMIT ?`,
    ),
    skippedCount: q("SELECT COUNT(*) AS n FROM outbox WHERE outcome = 'skipped'"),
    lockBudget: q(`SELECT * FROM front_budget WHERE id = 1${pg ? ' FOR UPDATE' : ''}`),
    setBudget: q('UPDATE front_budget SET front_limit = ?, remaining = ?, reset_at = ?, paused_until = ? WHERE id = 1'),
    // In flight (not yet presumed ended) sorts as 9e15: later than any time.
    budgetRequests: q(
      `SELECT u FROM (
         SELECT CASE WHEN done_at IS NOT NULL THEN done_at WHEN sent_at + ? < ? THEN sent_at + ? ELSE 9000000000000000 END AS u
         FROM front_requests_sent WHERE COALESCE(done_at, sent_at + ?) >= ? AND (CAST(? AS TEXT) IS NULL OR resource = ?)
       ) AS w ORDER BY u DESC LIMIT 1 OFFSET ?`,
    ),
    budgetCount: q('SELECT COUNT(*) AS n FROM front_requests_sent WHERE COALESCE(done_at, sent_at + ?) >= ?'),
    budgetRequestSent: q('INSERT INTO front_requests_sent (resource, sent_at) VALUES (?, ?) RETURNING id'),
    budgetRequestDone: q('UPDATE front_requests_sent SET done_at = ? WHERE id = ?'),
    pruneBudgetRequests: q('DELETE FROM front_requests_sent WHERE COALESCE(done_at, sent_at + ?) < ?'),
    // A key still remembered is not touched; an expired one counts as new.
    seeSignature: q(
      `INSERT INTO seen_signatures (key, expires_at) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE seen_signatures.expires_at <= ? RETURNING key`,
    ),
    pruneSignatures: q('DELETE FROM seen_signatures WHERE expires_at <= ?'),
    authFailures: q('SELECT since, count FROM auth_failures WHERE address = ? AND since >= ?'),
    addAuthFailure: q(
      `INSERT INTO auth_failures (address, since, count) VALUES (?, ?, 1)
       ON CONFLICT (address) DO UPDATE SET
         count = CASE WHEN auth_failures.since < ? THEN 1 ELSE auth_failures.count + 1 END,
         since = CASE WHEN auth_failures.since < ? THEN excluded.since ELSE auth_failures.since END`,
    ),
    pruneAuthFailures: q('DELETE FROM auth_failures WHERE since < ?'),
    openOpsOnChannel: q(
      `SELECT outbox.* FROM outbox JOIN calls ON calls.id = outbox.call_id
       WHERE calls.channel_id = ? AND outbox.state IN ('pending', 'inflight') ORDER BY outbox.seq`,
    ),
  };

  const nullable = <T>(row: Row | undefined, f: (r: Row) => T): T | null => (row ? f(row) : null);
  /**
   * Active tokens by hash: every plugin request looks one up; revoking clears the cache. Only on a
   * database of its own: on a shared one another instance may revoke a token, so each lookup asks
   * the database (one indexed read) and a revoked token is refused by every instance at once.
   */
  const tokenCache = new Map<string, TokenRow>();
  const cacheTokens = !driver.shared;

  return {
    dialect: driver.dialect,
    shared: driver.shared,
    transaction: <T>(fn: () => T): T => driver.transaction(fn),
    close: () => driver.close(),

    upsertChannel(channelId, webhookId, now) {
      s.upsertChannel.run(channelId, webhookId, now);
      return channelOf(s.getChannel.get(channelId)!);
    },
    getChannel: (channelId) => nullable(s.getChannel.get(channelId), channelOf),
    getChannelByWebhook: (webhookId) => nullable(s.channelByWebhook.get(webhookId), channelOf),
    activeChannel: () => nullable(s.activeChannel.get(), channelOf),
    deleteChannel: (channelId, now) => void s.deleteChannel.run(now, channelId),

    insertToken: ({ email, extension, label, tokenHash, now }) => tokenOf(s.insertToken.get(email, extension, label, tokenHash, now)!),
    tokenByHash(hash) {
      const cached = tokenCache.get(hash);
      if (cached) return cached;
      const row = nullable(s.tokenByHash.get(hash), tokenOf);
      if (row && cacheTokens) tokenCache.set(hash, row);
      return row;
    },
    tokenByExtension: (extension) => nullable(s.tokenByExtension.get(extension), tokenOf),
    listTokens: () => s.listTokens.all().map(tokenOf),
    revokeToken(id, now) {
      tokenCache.clear();
      return s.revokeToken.run(now, id).changes > 0;
    },

    insertCall(c, now) {
      s.insertCall.run(
        c.id,
        c.direction,
        c.remoteNumber,
        c.remoteName,
        c.localNumber,
        c.agentEmail,
        c.agentExtension,
        c.parentId,
        c.startedAt,
        c.pbxCallId,
        c.pbxLinked ? 1 : 0,
        c.owner,
        c.clientRef,
        now,
        now,
      );
      return { ...c, frontState: null, channelId: null, updatedAt: now };
    },
    getCall: (id) => nullable(s.getCall.get(id), callOf),
    callByAlias: (alias) => nullable(s.callByAlias.get(alias), callOf),
    callByPbxId: (pbxCallId) => nullable(s.callByPbxId.get(pbxCallId), callOf),
    addAlias: (alias, callId) => void s.addAlias.run(alias, callId),
    callsForMatch: (direction, remoteNumber, from, to) => s.callsForMatch.all(direction, remoteNumber, from, to).map(callOf),
    pbxCallsForMatch: (direction, remoteNumber, from, to) => s.pbxCallsForMatch.all(direction, remoteNumber, from, to).map(callOf),
    setCallState: (id, state, now) => void s.setCallState.run(state, now, id),
    linkPbx: (id, pbxCallId, f, now) =>
      void s.linkPbx.run(pbxCallId, f.localNumber ?? null, f.agentExtension ?? null, f.agentEmail ?? null, now, id),
    setCallChannel: (id, channelId) => void s.setCallChannel.run(channelId, id),
    countCalls: () => s.countCalls.get()!.n as number,
    callOf: (owner, clientRef) => nullable(s.callOf.get(clientRef, owner), callOf),
    callsByClientRef: (clientRef) => s.callsByClientRef.all(clientRef).map(callOf),
    setOwner: (id, owner, now) => void s.setOwner.run(owner, now, id),
    getSetting: (key) => (s.getSetting.get(key)?.value as string | undefined) ?? null,
    setSetting: (key, value, now) => void s.setSetting.run(key, value, now),

    lastPluginSeq: (callRef, reporter) => (s.lastPluginSeq.get(callRef, reporter)?.seq as number | null) ?? 0,
    pluginEventHash: (callRef, reporter, seq) => (s.pluginEventHash.get(callRef, reporter, seq)?.hash as string | undefined) ?? null,
    insertPluginEvent: (callRef, reporter, seq, hash, now) => void s.insertPluginEvent.run(callRef, reporter, seq, hash, now),
    reportKeyHash: (key) => (s.reportKeyHash.get(key)?.hash as string | undefined) ?? null,
    insertReportKey: (key, hash, callId, now) => void s.insertReportKey.run(key, hash, callId, now),

    enqueue: ({ callId, kind, payload, afterSeq, now }) => Number(s.enqueue.get(callId, kind, payload, afterSeq, now, now)!.seq),
    getOp: (seq) => nullable(s.getOp.get(seq), opOf),
    openOps: () => s.openOps.all().map(opOf),
    recoverInflight: () => s.recoverInflight.run().changes,
    markInflight: (seq) => void s.markInflight.run(seq),
    markSent: (seq, outcome, note, now) => void s.markSent.run(outcome, note, now, seq),
    markRetry: (seq, nextAttemptAt, error, ambiguous) => void s.markRetry.run(nextAttemptAt, error, ambiguous ? 1 : 0, seq),
    markDead: (seq, reason, now) => void s.markDead.run(reason, now, seq),
    markSkipped(seqs, note, now) {
      for (const seq of seqs) s.markSkipped.run(note, now, seq);
    },
    setLastError: (seq, error) => void s.setLastError.run(error, seq),
    createOpOf: (callId) => nullable(s.createOpOf.get(callId), opOf),
    deadOps: (limit) => s.deadOps.all(limit).map(opOf),
    opsOfCall: (callId) => s.opsOfCall.all(callId).map(opOf),
    outboxCounts() {
      const counts = { pending: 0, inflight: 0, sent: 0, dead: 0, oldestPendingAt: null as number | null };
      for (const row of s.openCounts.all()) {
        const state = row.state as 'pending' | 'inflight';
        counts[state] = row.n as number;
        const oldest = row.oldest as number;
        counts.oldestPendingAt = counts.oldestPendingAt === null ? oldest : Math.min(counts.oldestPendingAt, oldest);
      }
      counts.dead = s.deadCount.get()!.n as number;
      counts.sent = (s.totalCount.get()!.n as number) - counts.pending - counts.inflight - counts.dead;
      return { ...counts, skipped: s.skippedCount.get()!.n as number };
    },
    openOpsOnChannel: (channelId) => s.openOpsOnChannel.all(channelId).map(opOf),
    headOp: (callId) => nullable(s.headOp.get(callId), opOf),
    markInflightLeased: (seq, callId, owner, now) => s.markInflightLeased.run(seq, callId, owner, now).changes > 0,

    claimCall(callId, owner, until, now, wasHeld) {
      const lease = s.leaseOf.get(callId);
      let result: ClaimResult;
      if (!lease) {
        // No lease, or one being claimed by another instance right now (skipped, not waited for).
        result = s.insertLease.get(callId, owner, until) ? 'acquired' : 'taken';
      } else if (lease.owner === owner || (lease.lease_until as number) <= now) {
        s.updateLease.run(owner, until, callId);
        result = lease.owner === owner && wasHeld ? 'held' : 'acquired';
      } else {
        result = 'taken';
      }
      const recovered = result === 'acquired' ? s.recoverCallInflight.run(callId).changes : 0;
      return { result, recovered };
    },
    renewLeases: (owner, until) => void s.renewLeases.run(until, owner),
    releaseCall: (callId, owner) => void s.releaseCall.run(callId, owner),
    releaseAllLeases: () => void s.releaseAllLeases.run(),
    releaseLeasesOf: (owner) => void s.releaseLeasesOf.run(owner),
    claimableCalls: (owner, now, limit) => s.claimableCalls.all(owner, now, limit).map((r) => r.call_id as string),

    lockBudget() {
      const r = s.lockBudget.get()!;
      const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
      return { frontLimit: num(r.front_limit), remaining: num(r.remaining), resetAt: num(r.reset_at), pausedUntil: Number(r.paused_until) };
    },
    setBudget: (b) => void s.setBudget.run(b.frontLimit, b.remaining, b.resetAt, b.pausedUntil),
    budgetNthLatest(since, now, cap, resource, nth) {
      const row = s.budgetRequests.get(cap, now, cap, cap, since, resource, resource, Math.max(0, nth - 1));
      if (!row) return null;
      const u = Number(row.u);
      return u >= 9e15 ? Infinity : u;
    },
    budgetCount: (since, cap) => Number(s.budgetCount.get(cap, since)!.n),
    budgetRequestSent: (resource, now) => Number(s.budgetRequestSent.get(resource, now)!.id),
    budgetRequestDone: (id, now) => void s.budgetRequestDone.run(now, id),
    pruneBudgetRequests: (before, cap) => void s.pruneBudgetRequests.run(cap, before),
    firstSeenSignature: (key, expiresAt, now) => s.seeSignature.get(key, expiresAt, now) !== undefined,
    pruneSignatures: (now) => void s.pruneSignatures.run(now),
    authFailures(address, windowStart) {
      const r = s.authFailures.get(address, windowStart);
      return r ? { since: Number(r.since), count: Number(r.count) } : null;
    },
    addAuthFailure: (address, now, windowStart) => void s.addAuthFailure.run(address, now, windowStart, windowStart),
    pruneAuthFailures: (windowStart) => void s.pruneAuthFailures.run(windowStart),
  };
}
