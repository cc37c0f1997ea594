/**
 * Call logging: reports each call's lifecycle to the call-logging server (server/README.md) as it
 * happens, through a durable outbox, and says per call whether it is logged. Loaded lazily (after
 * first render) by the composition root; the UI only sees ./view.
 */
import type { Actor } from 'xstate';
import type { DialerMachine } from '../machine/dialerMachine';
import { SETTLE_AFTER_MS as MACHINE_SETTLE_AFTER_MS, type CallLifecycleEvent, type TelephonyEvent } from '../machine/types';
import { createStore } from '../store';
import { createOutbox, memoryReportStore, openReportStore, type ReportStore, type StoredReport } from './outbox';
import { browserNotesStorage, createCallNotesStore } from './notes';
import { eventBody, isReportedType, recordingBody, summaryBody, unloggableReason, type Report } from './reports';
import { createCallLogSettings, type CallLogSettings, type CallLogSettingsController } from './settings';
import type { CallLogStatus, CallLogStatusSource } from './view';

export { createCallLogSettings, checkServerUrl, CALL_LOG_SETTINGS_KEY, type CallLogSettings, type CallLogSettingsController } from './settings';
export { openReportStore, memoryReportStore, DB_NAME, type ReportStore, type StoredReport } from './outbox';
export type { Report } from './reports';

/** How long after a call ended its summary waits for tags before it is sent anyway (the machine's settling time). */
export const SETTLE_AFTER_MS = MACHINE_SETTLE_AFTER_MS;

export interface CallLogProblem {
  readonly code: string;
  readonly message: string;
  readonly callId?: string;
}

export interface CallReporterOptions {
  /** The dialer, heard only through its emitted events. */
  readonly dialer: Pick<Actor<DialerMachine>, 'on'>;
  /** The server and token, read at each send; null: no call log (new calls are not reported). */
  readonly settings: () => CallLogSettings | null;
  readonly fetch?: typeof fetch;
  /** The report store; IndexedDB by default, memory when that fails. */
  readonly db?: ReportStore | Promise<ReportStore>;
  readonly now?: () => number;
  readonly random?: () => number;
  /** Front's tags (to send tag names for the machine's tag ids); null when unknown. */
  readonly frontTags?: () => readonly { id: string; name: string }[] | null;
  /** Problems in words, for diagnostics and the agent; they never contain the token. */
  readonly onProblem: (problem: CallLogProblem) => void;
  readonly backoff?: { baseMs: number; maxMs: number };
  /**
   * Why a call must not be logged at all, or null to log it; asked once, as the call starts (the
   * composition root: calls on the simulated line outside a demo deployment).
   */
  readonly skipCall?: (call: { readonly callId: string }) => string | null;
  /** The teammate's notes on a call (./notes.ts), read when it settles and sent with its summary. */
  readonly notes?: (callId: string) => string;
  /**
   * Where the calls not settled yet are kept (local storage: synchronous, so they are there even
   * when the page is killed). A call an earlier page load left open is ended at once with
   * `connectionLost` (its line died with that page), and its summary still follows when the call
   * machine settles it (app/continuity.ts brings it back on screen).
   */
  readonly openCalls?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined;
}

/** The local-storage key of the calls not settled yet (see `openCalls`). */
export const OPEN_CALLS_KEY = 'softphone.calllog.open';

export interface CallReporter extends CallLogStatusSource {
  /** The reports the server refused (kept so they stay visible). */
  failed(): readonly StoredReport[];
  /** Settings changed or the network is back: retry at once. */
  retryNow(): void;
  /** Resolves once the stored reports of earlier sessions are loaded. */
  readonly ready: Promise<void>;
  stop(): void;
}

/** A call being reported, until it settles. */
interface TrackedCall {
  /** The last event report's seq. */
  seq: number;
  /** CALL_ENDED was reported: no more event reports, only the summary when it settles. */
  ended: boolean;
  /** What CALL_ENDED needs when an earlier page load left the call open. */
  callType: 'inbound' | 'outbound';
  participant: string;
}

function readOpenCalls(storage: CallReporterOptions['openCalls']): [string, TrackedCall][] {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(OPEN_CALLS_KEY) ?? '{}');
    if (typeof parsed !== 'object' || parsed === null) return [];
    return Object.entries(parsed as Record<string, Partial<TrackedCall>>).flatMap(([callId, call]): [string, TrackedCall][] =>
      typeof call?.seq === 'number' && Number.isInteger(call.seq) && call.seq >= 1 && typeof call.ended === 'boolean' &&
      (call.callType === 'inbound' || call.callType === 'outbound') && typeof call.participant === 'string'
        ? [[callId, { seq: call.seq, ended: call.ended, callType: call.callType, participant: call.participant }]]
        : [],
    );
  } catch {
    return [];
  }
}

/**
 * Starts reporting the dialer's calls. Each report is stored before it is sent (see ./outbox.ts);
 * the summary is sent once the machine says the call settled (CALL_SETTLED: wrap-up ended, the
 * agent left the ended screen, or {@link SETTLE_AFTER_MS} after the end). Only calls not settled
 * yet are kept, plus the last settled one (a recording URL may still come for it while it is on
 * screen) and the last skipped one (to say why it is not logged).
 */
export function createCallReporter(options: CallReporterOptions): CallReporter {
  const { dialer, settings, now = Date.now, onProblem, frontTags = () => null } = options;
  const calls = new Map<string, TrackedCall>();
  /** Ids whose reports an earlier page load stored: a call with such an id is not reported again. */
  const earlier = new Set<string>();
  let lastSkipped: { callId: string; reason: string } | null = null;
  let lastSettled: { callId: string; recordingSent: string | null } | null = null;
  // What changed lives in the outbox and the slots above; the store only counts changes, to tell.
  const changes = createStore(0);
  const notify = () => changes.setState((count) => count + 1);
  const keepOpenCalls = () => {
    try {
      if (calls.size === 0) options.openCalls?.removeItem(OPEN_CALLS_KEY);
      else options.openCalls?.setItem(OPEN_CALLS_KEY, JSON.stringify(Object.fromEntries(calls)));
    } catch {
      // Blocked or full storage: a reload mid-call then leaves the call open in Front (said at start).
    }
  };

  const store: Promise<ReportStore> = Promise.resolve(options.db ?? openReportStore()).catch(() => {
    onProblem({
      code: 'storage_unavailable',
      message: 'Call reports are kept in memory only (the browser refused IndexedDB): reports not sent before a reload are lost.',
    });
    return memoryReportStore();
  });

  const outbox = createOutbox({
    store,
    settings,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    now,
    ...(options.random ? { random: options.random } : {}),
    ...(options.backoff ? { backoff: options.backoff } : {}),
    onChange: notify,
    onProblem,
  });

  const ready = outbox.ready.then(async () => {
    for (const row of await (await store).all()) if (row.path === 'events' && !calls.has(row.callId)) earlier.add(row.callId);
  });

  const add = (report: Report) =>
    outbox.add(report).catch(() =>
      onProblem({ code: 'storage_failed', message: 'A call report could not be stored in the browser: it was not sent.', callId: report.callId }),
    );

  const sendRecording = (callId: string, url: string | null) => {
    const body = url ? recordingBody(callId, url) : null;
    if (body) void add({ callId, path: 'recording', body });
  };

  const onTelephony = (event: TelephonyEvent) => {
    const { callId } = event.detail;
    if (event.type === 'CALL_STARTED') {
      if (calls.has(callId) || earlier.has(callId) || lastSkipped?.callId === callId || !settings()) return;
      const why = options.skipCall?.({ callId }) ?? unloggableReason(event);
      if (why) {
        lastSkipped = { callId, reason: why };
        notify();
        return;
      }
      calls.set(callId, { seq: 0, ended: false, callType: event.detail.callType, participant: event.detail.participant });
    }
    const call = calls.get(callId);
    if (!call || call.ended || !isReportedType(event.type)) return;
    const body = eventBody(event, call.seq + 1, now());
    if (!body) return;
    call.seq += 1;
    call.ended = event.type === 'CALL_ENDED';
    keepOpenCalls();
    void add({ callId, path: 'events', body });
  };

  const onSettled = ({ detail }: Extract<CallLifecycleEvent, { type: 'CALL_SETTLED' }>) => {
    const call = calls.get(detail.callId);
    if (!call) return;
    calls.delete(detail.callId);
    keepOpenCalls();
    lastSettled = { callId: detail.callId, recordingSent: detail.recordingUrl };
    void add({
      callId: detail.callId,
      path: 'summary',
      body: summaryBody(
        {
          callId: detail.callId,
          endReason: detail.reason,
          duration: detail.duration,
          connectedAt: detail.connectedAt,
          endedAt: detail.endedAt,
          tags: detail.tags,
          name: detail.participantName,
        },
        frontTags(),
        options.notes?.(detail.callId),
      ),
    });
    sendRecording(detail.callId, detail.recordingUrl);
  };

  /** A recording that came after the summary: reported on its own. Before, the summary brings it. */
  const onRecording = ({ detail }: Extract<CallLifecycleEvent, { type: 'RECORDING_AVAILABLE' }>) => {
    if (lastSettled?.callId !== detail.callId || lastSettled.recordingSent === detail.url) return;
    lastSettled = { callId: detail.callId, recordingSent: detail.url };
    sendRecording(detail.callId, detail.url);
  };

  // Calls an earlier page load left open: their line died with that page. Ended at once, so Front
  // never keeps a call `connected`; the summary follows when the machine settles the call.
  for (const [callId, call] of readOpenCalls(options.openCalls)) {
    if (calls.has(callId)) continue;
    calls.set(callId, call);
    if (call.ended) continue;
    const body = eventBody(
      { type: 'CALL_ENDED', detail: { callId, callType: call.callType, participant: call.participant, reason: 'connectionLost' } },
      call.seq + 1,
      now(),
    );
    if (!body) continue;
    call.seq += 1;
    call.ended = true;
    void add({ callId, path: 'events', body });
  }
  keepOpenCalls();

  const subscriptions = [
    ...(['CALL_STARTED', 'CALL_CONNECTED', 'HOLD', 'RESUME', 'CALL_ENDED'] as const).map((type) =>
      dialer.on(type, (event) => onTelephony(event as TelephonyEvent)),
    ),
    dialer.on('CALL_SETTLED', onSettled),
    dialer.on('RECORDING_AVAILABLE', onRecording),
  ];

  return {
    ready,
    status(callId): CallLogStatus | null {
      if (lastSkipped?.callId === callId) return { kind: 'skipped', reason: lastSkipped.reason };
      const progress = outbox.progress(callId);
      if (!progress) return calls.has(callId) ? { kind: 'pending', wait: 'sending' } : null;
      if (progress.failed !== null) return { kind: 'failed', reason: progress.failed };
      if (progress.pending > 0) return { kind: 'pending', wait: outbox.wait() };
      return { kind: 'logged' };
    },
    subscribe: (listener) => changes.subscribe(() => listener()),
    failed: () => outbox.failed(),
    retryNow: () => outbox.retryNow(),
    stop() {
      for (const subscription of subscriptions) subscription.unsubscribe();
      outbox.stop();
    },
  };
}

export interface StartCallLogOptions {
  readonly dialer: CallReporterOptions['dialer'];
  readonly storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined;
  /** Token and URL defaults (dev builds: VITE_CALL_LOG_URL / VITE_CALL_LOG_TOKEN). */
  readonly defaults?: { readonly url?: string | undefined; readonly token?: string | undefined };
  /** The deployment config's server.url, once loaded. */
  readonly deploymentUrl?: Promise<string | undefined>;
  readonly frontTags?: CallReporterOptions['frontTags'];
  readonly onProblem: CallReporterOptions['onProblem'];
  /** Settings already made (the tab's settings form uses the same); made from `storage` otherwise. */
  readonly settings?: CallLogSettingsController;
  /** Where to hear that the network is back (window). */
  readonly online?: Pick<Window, 'addEventListener' | 'removeEventListener'> | null;
  readonly skipCall?: CallReporterOptions['skipCall'];
  readonly notes?: CallReporterOptions['notes'];
}

/**
 * The call log as the composition root starts it: settings from storage, the reporter over them;
 * saving settings or the network coming back retries at once.
 */
export function startCallLog({ dialer, storage, defaults, deploymentUrl, frontTags, onProblem, online = null, settings: given, skipCall, notes }: StartCallLogOptions) {
  const settings = given ?? createCallLogSettings({ storage, ...(defaults ? { defaults } : {}) });
  const notesStore = createCallNotesStore(browserNotesStorage());
  if (!defaults?.url) void deploymentUrl?.then((url) => url && settings.setDefaultUrl(url));
  const reporter = createCallReporter({
    dialer,
    settings: () => settings.current(),
    onProblem,
    openCalls: storage,
    ...(frontTags ? { frontTags } : {}),
    ...(skipCall ? { skipCall } : {}),
    // The notes typed in any tab of this profile (local storage), unless the caller reads them.
    notes: notes ?? ((callId) => notesStore.read(callId)),
  });
  const stopWatching = settings.subscribe(() => reporter.retryNow());
  const retry = () => reporter.retryNow();
  online?.addEventListener('online', retry);
  return {
    settings,
    reporter,
    stop() {
      stopWatching();
      online?.removeEventListener('online', retry);
      reporter.stop();
    },
  };
}
