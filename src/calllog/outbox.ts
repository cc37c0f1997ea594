/**
 * A durable queue of reports for the call-logging server.
 *
 * Contract:
 * - Every report MUST be stored before it is sent; it is deleted only once the server accepted it
 *   (202, or 200 duplicate). A reload resumes whatever is stored.
 * - Reports of one call are sent in the order they were added, one in flight per call, oldest
 *   call first.
 * - Network errors and the statuses the contract calls retryable (408, 429, 5xx) are retried with
 *   its backoff and jitter, a Retry-After lengthening the wait (contract/retry.ts, the server's
 *   outbox uses the same policy). A 401 pauses all sending until `retryNow()` (the settings
 *   changed); nothing is dropped. Any other refusal moves that report to the failed list with the
 *   server's reason: kept and visible, never silently lost.
 * - The token MUST NOT appear in a URL or any message this module produces.
 */
import { openDB } from 'idb';
import { classifyStatus, retryDelay, type BackoffOptions } from '../../contract';
import type { CallLogWait } from './view';
import type { Report } from './reports';
import type { CallLogSettings } from './settings';

/** A report as stored: its key is its place in the queue. */
export type StoredReport = Report & {
  readonly key: number;
  readonly addedAt: number;
  /** The server's reason, once it refused the report for good. */
  readonly failed?: string;
};

/** Where reports are kept. MUST keep keys increasing in the order of `add` calls. */
export interface ReportStore {
  readonly durable: boolean;
  add(report: Omit<StoredReport, 'key'>): Promise<number>;
  put(report: StoredReport): Promise<void>;
  remove(key: number): Promise<void>;
  all(): Promise<StoredReport[]>;
}

export const DB_NAME = 'softphone-calllog';
const STORE = 'reports';

/** The reports in IndexedDB (database "softphone-calllog", store "reports", autoincrement keys). */
export async function openReportStore(name = DB_NAME): Promise<ReportStore> {
  if (typeof indexedDB === 'undefined') throw new Error('IndexedDB is not available');
  const db = await openDB(name, 1, {
    upgrade(database) {
      database.createObjectStore(STORE, { keyPath: 'key', autoIncrement: true });
    },
  });
  return {
    durable: true,
    add: async (report) => Number(await db.add(STORE, report as StoredReport)),
    put: async (report) => void (await db.put(STORE, report)),
    remove: (key) => db.delete(STORE, key),
    all: () => db.getAll(STORE) as Promise<StoredReport[]>,
  };
}

/** The fallback when IndexedDB is unavailable (blocked, private mode): lost on reload. */
export function memoryReportStore(): ReportStore {
  const rows = new Map<number, StoredReport>();
  let next = 1;
  return {
    durable: false,
    add: async (report) => {
      const key = next++;
      rows.set(key, { ...report, key } as StoredReport);
      return key;
    },
    put: async (report) => void rows.set(report.key, report),
    remove: async (key) => void rows.delete(key),
    all: async () => [...rows.values()].sort((a, b) => a.key - b.key),
  };
}

type Outcome =
  | { kind: 'accepted' }
  | { kind: 'retry'; wait: CallLogWait; retryAfter: string | null }
  | { kind: 'refused_token' }
  | { kind: 'failed'; reason: string };

export interface OutboxOptions {
  readonly store: Promise<ReportStore>;
  readonly settings: () => CallLogSettings | null;
  readonly fetch: typeof fetch;
  readonly now?: () => number;
  /** 0..1; jitter. */
  readonly random?: () => number;
  /** Told whenever a call's status may have changed. */
  readonly onChange?: (callId: string | null) => void;
  /** Problems in words for the agent and diagnostics (never the token). */
  readonly onProblem?: (problem: { code: string; message: string; callId?: string }) => void;
  readonly backoff?: BackoffOptions;
  /** How many refused reports to keep (oldest dropped from storage beyond, still counted). */
  readonly maxFailed?: number;
  /** Calls with a report in flight at once. */
  readonly concurrency?: number;
  /**
   * How many calls' outcomes (accepted counts, the first refusal's reason) to remember for
   * `progress`, most recently changed first. The UI only asks about the call on screen; without a
   * bound a working day of calls would stay reachable. Pending reports are never forgotten.
   */
  readonly rememberCalls?: number;
}

export interface CallProgress {
  readonly pending: number;
  readonly accepted: number;
  readonly failed: string | null;
}

export interface Outbox {
  /** Stores the report, then sends it when its turn comes. Resolves once stored. */
  add(report: Report): Promise<void>;
  progress(callId: string): CallProgress | null;
  /** Why pending reports are waiting right now. */
  wait(): CallLogWait;
  /** The reports the server refused, newest last. */
  failed(): readonly StoredReport[];
  /** The settings changed or the network is back: retry now (lifts a 401 pause). */
  retryNow(): void;
  /** Resolves once stored reports are loaded (the queue resumes them). */
  readonly ready: Promise<void>;
  stop(): void;
}

const MAX_REASON = 300;

async function reasonOf(response: Response): Promise<string> {
  let reason = `HTTP ${response.status}`;
  try {
    const body: unknown = await response.json();
    const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
    if (typeof message === 'string' && message.trim()) reason = message.trim();
  } catch {
    // Not JSON: the status says enough.
  }
  return reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason;
}

export function createOutbox({
  store: storePromise,
  settings,
  fetch: fetchFn,
  now = Date.now,
  random = Math.random,
  onChange = () => {},
  onProblem = () => {},
  backoff = { baseMs: 1_000, maxMs: 60_000 },
  maxFailed = 50,
  concurrency = 4,
  rememberCalls = 32,
}: OutboxOptions): Outbox {
  let store: ReportStore | null = null;
  /** Pending reports by call, oldest first; calls in the order their first pending report came. */
  const queues = new Map<string, StoredReport[]>();
  /** What became of each recent call's reports, for `progress`: the last `rememberCalls` calls. */
  const accepted = new Map<string, number>();
  const failures = new Map<string, string>();
  const remember = <T>(map: Map<string, T>, callId: string, value: T) => {
    map.delete(callId);
    map.set(callId, value);
    while (map.size > rememberCalls) map.delete(map.keys().next().value!);
  };
  let failedList: StoredReport[] = [];
  const inflight = new Set<string>();
  let writes: Promise<unknown> = Promise.resolve();
  let stopped = false;
  let paused = false;
  let attempts = 0;
  let retryAt = 0;
  let currentWait: CallLogWait = 'sending';
  let timer: ReturnType<typeof setTimeout> | null = null;

  const enqueueLocal = (row: StoredReport) => {
    const queue = queues.get(row.callId);
    if (queue) queue.push(row);
    else queues.set(row.callId, [row]);
  };

  const ready = storePromise.then(async (s) => {
    store = s;
    const rows = (await s.all()).sort((a, b) => a.key - b.key);
    for (const row of rows) {
      if (row.failed !== undefined) {
        failedList.push(row);
        if (!failures.has(row.callId)) remember(failures, row.callId, row.failed);
      } else enqueueLocal(row);
    }
  });

  const setWait = (wait: CallLogWait) => {
    if (wait === currentWait) return;
    currentWait = wait;
    onChange(null);
  };

  const schedule = (at: number) => {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      pump();
    }, Math.max(0, at - now()));
  };

  async function send(row: StoredReport, config: CallLogSettings): Promise<Outcome> {
    let response: Response;
    try {
      response = await fetchFn(`${config.url}/v1/calls/${row.path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${config.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(row.body),
        // A redirect would carry the token elsewhere: treat it as an error.
        redirect: 'error',
        credentials: 'omit',
      });
    } catch {
      return { kind: 'retry', wait: 'unreachable', retryAfter: null };
    }
    // Our own token refused: not this report's fault, so nothing is failed; wait for new settings.
    if (response.status === 401) return { kind: 'refused_token' };
    switch (classifyStatus(response.status)) {
      case 'accepted':
        return { kind: 'accepted' };
      case 'retry':
        return { kind: 'retry', wait: response.status === 429 ? 'rate_limited' : 'server_error', retryAfter: response.headers.get('retry-after') };
      case 'refused':
        return { kind: 'failed', reason: await reasonOf(response) };
    }
  }

  async function settle(row: StoredReport, outcome: Outcome): Promise<void> {
    const queue = queues.get(row.callId);
    const drop = () => {
      queue?.shift();
      if (queue && queue.length === 0) queues.delete(row.callId);
    };
    switch (outcome.kind) {
      case 'accepted':
        drop();
        remember(accepted, row.callId, (accepted.get(row.callId) ?? 0) + 1);
        attempts = 0;
        if (currentWait !== 'sending') setWait('sending');
        // If deleting fails the report is sent again after a reload: the server answers duplicate.
        await store!.remove(row.key).catch(() => undefined);
        break;
      case 'failed': {
        drop();
        const failed: StoredReport = { ...row, failed: outcome.reason };
        failedList.push(failed);
        if (!failures.has(row.callId)) remember(failures, row.callId, outcome.reason);
        await store!.put(failed).catch(() => undefined);
        while (failedList.length > maxFailed) {
          const oldest = failedList.shift()!;
          await store!.remove(oldest.key).catch(() => undefined);
        }
        onProblem({ code: 'report_refused', message: `The call log server refused a ${row.path} report: ${outcome.reason}`, callId: row.callId });
        break;
      }
      case 'refused_token':
        if (!paused) onProblem({ code: 'token_refused', message: 'The call log token was refused. Check it in Settings; calls are kept until then.' });
        paused = true;
        setWait('token_refused');
        break;
      case 'retry': {
        attempts += 1;
        const t = now();
        retryAt = Math.max(retryAt, t + retryDelay({ attempt: attempts, backoff, retryAfter: outcome.retryAfter, now: t, random }));
        setWait(outcome.wait);
        break;
      }
    }
  }

  function pump(): void {
    if (stopped || store === null || paused) return;
    if (queues.size === 0) return;
    if (now() < retryAt) {
      if (timer === null) schedule(retryAt);
      return;
    }
    const config = settings();
    if (!config) {
      setWait('not_configured');
      return;
    }
    if (currentWait === 'not_configured') setWait('sending');
    for (const [callId, queue] of queues) {
      if (inflight.size >= concurrency) break;
      if (inflight.has(callId)) continue;
      const row = queue[0]!;
      inflight.add(callId);
      void send(row, config)
        .then((outcome) => settle(row, outcome))
        .finally(() => {
          inflight.delete(callId);
          onChange(callId);
          pump();
        });
    }
  }

  void ready.then(pump, () => undefined);

  return {
    ready,
    add(report) {
      const row = { ...report, addedAt: now() } as Omit<StoredReport, 'key'>;
      // Chained, so keys (and the queue) follow the order of add() calls.
      const stored = ready.then(() => (writes = writes.then(() => store!.add(row))) as Promise<number>);
      return stored.then((key) => {
        enqueueLocal({ ...row, key } as StoredReport);
        onChange(report.callId);
        pump();
      });
    },
    progress(callId) {
      const pending = queues.get(callId)?.length ?? 0;
      const ok = accepted.get(callId) ?? 0;
      const failed = failures.get(callId) ?? null;
      return pending === 0 && ok === 0 && failed === null ? null : { pending, accepted: ok, failed };
    },
    wait: () => currentWait,
    failed: () => [...failedList],
    retryNow() {
      paused = false;
      retryAt = 0;
      attempts = 0;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      setWait('sending');
      pump();
    },
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
