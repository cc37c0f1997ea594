/**
 * Call logging: reports each call's lifecycle to the call-logging server (server/README.md) as it
 * happens, through a durable outbox, and says per call whether it is logged. Loaded lazily (after
 * first render) by the composition root; the UI only sees ./view.
 */
import type { Actor } from 'xstate';
import type { DialerMachine } from '../machine/dialerMachine';
import type { DialerSnapshot } from '../machine/selectors';
import type { TelephonyEvent } from '../machine/types';
import { createStore } from '../store';
import type { EndReason } from '../telephony/protocol';
import { createOutbox, memoryReportStore, openReportStore, type ReportStore, type StoredReport } from './outbox';
import { eventBody, isReportedType, recordingBody, summaryBody, unloggableReason, type Report } from './reports';
import { createCallLogSettings, type CallLogSettings } from './settings';
import type { CallLogStatus, CallLogStatusSource } from './view';

export { createCallLogSettings, checkServerUrl, type CallLogSettings, type CallLogSettingsController } from './settings';
export { openReportStore, memoryReportStore, DB_NAME, type ReportStore, type StoredReport } from './outbox';
export type { Report } from './reports';

/** How long after a call ended its summary waits for tags before it is sent anyway. */
export const SETTLE_AFTER_MS = 30_000;

export interface CallLogProblem {
  readonly code: string;
  readonly message: string;
  readonly callId?: string;
}

export interface CallReporterOptions {
  readonly dialer: Pick<Actor<DialerMachine>, 'on' | 'subscribe' | 'getSnapshot'>;
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
}

export interface CallReporter extends CallLogStatusSource {
  /** The reports the server refused (kept so they stay visible). */
  failed(): readonly StoredReport[];
  /** Settings changed or the network is back: retry at once. */
  retryNow(): void;
  /** Resolves once the stored reports of earlier sessions are loaded. */
  readonly ready: Promise<void>;
  stop(): void;
}

interface TrackedCall {
  seq: number;
  ended: boolean;
  settled: boolean;
  reason: EndReason | null;
  recordingSent: string | null;
  timer: ReturnType<typeof setTimeout> | null;
  /** The machine's last view of the call (tags, duration, recording) while it was on screen. */
  last: DialerSnapshot['context'] | null;
}

/**
 * Starts reporting the dialer's calls. Each report is stored before it is sent (see ./outbox.ts);
 * the summary is sent once the call is settled: wrap-up ended, the agent left the ended screen,
 * or {@link SETTLE_AFTER_MS} after the end, whichever comes first.
 */
export function createCallReporter(options: CallReporterOptions): CallReporter {
  const { dialer, settings, now = Date.now, onProblem, frontTags = () => null } = options;
  const calls = new Map<string, TrackedCall>();
  const skipped = new Map<string, string>();
  // What changed lives in the outbox and the maps above; the store only counts changes, to tell.
  const changes = createStore(0);
  const notify = () => changes.setState((count) => count + 1);

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

  // A call of an earlier session may get more reports only if its id comes back: continue its seq.
  const ready = outbox.ready.then(async () => {
    for (const row of [...(await (await store).all())]) {
      if (row.path === 'events' && !calls.has(row.callId)) {
        calls.set(row.callId, { seq: 0, ended: true, settled: true, reason: null, recordingSent: null, timer: null, last: null });
      }
      const call = calls.get(row.callId);
      if (call && row.path === 'events') call.seq = Math.max(call.seq, row.body.seq);
    }
  });

  const add = (report: Report) =>
    outbox.add(report).catch(() =>
      onProblem({ code: 'storage_failed', message: 'A call report could not be stored in the browser: it was not sent.', callId: report.callId }),
    );

  const settle = (callId: string, tags?: readonly string[]) => {
    const call = calls.get(callId);
    if (!call || call.settled || !call.ended) return;
    call.settled = true;
    if (call.timer !== null) clearTimeout(call.timer);
    call.timer = null;
    const context = call.last;
    const reason = context?.endReason ?? call.reason;
    if (!reason) return;
    void add({
      callId,
      path: 'summary',
      body: summaryBody(
        {
          callId,
          endReason: reason,
          duration: context?.duration ?? null,
          connectedAt: context?.call?.connectedAt ?? null,
          endedAt: context?.call?.endedAt ?? null,
          tags: tags ?? context?.tags ?? [],
        },
        frontTags(),
      ),
    });
    reportRecording(callId, call);
  };

  const reportRecording = (callId: string, call: TrackedCall) => {
    const url = call.last?.recordingUrl;
    if (!url || url === call.recordingSent) return;
    const body = recordingBody(callId, url);
    if (!body) return;
    call.recordingSent = url;
    void add({ callId, path: 'recording', body });
  };

  const onTelephony = (event: TelephonyEvent) => {
    const { callId } = event.detail;
    if (event.type === 'CALL_STARTED') {
      if (calls.has(callId) || skipped.has(callId) || !settings()) return;
      const why = unloggableReason(event);
      if (why) {
        skipped.set(callId, why);
        notify();
        return;
      }
      calls.set(callId, { seq: 0, ended: false, settled: false, reason: null, recordingSent: null, timer: null, last: null });
    }
    const call = calls.get(callId);
    if (!call) return;
    if (event.type === 'WRAP_UP_ENDED') {
      settle(callId, event.detail.tags);
      return;
    }
    if (!isReportedType(event.type) || call.ended) return;
    const body = eventBody(event, call.seq + 1, now());
    if (!body) return;
    call.seq += 1;
    void add({ callId, path: 'events', body });
    if (event.type === 'CALL_ENDED') {
      call.ended = true;
      call.reason = event.detail.reason;
      call.timer = setTimeout(() => {
        call.timer = null;
        // Mandatory tagging holds the summary until the agent tags (WRAP_UP_ENDED).
        const snapshot = dialer.getSnapshot();
        if (snapshot.matches('mandatoryTagging') && snapshot.context.call?.callId === callId) return;
        settle(callId);
      }, SETTLE_AFTER_MS);
    }
  };

  const subscriptions = (['CALL_STARTED', 'CALL_CONNECTED', 'HOLD', 'RESUME', 'CALL_ENDED', 'WRAP_UP_ENDED'] as const).map((type) =>
    dialer.on(type, (event) => onTelephony(event as TelephonyEvent)),
  );

  const onSnapshot = (snapshot: DialerSnapshot) => {
    const current = snapshot.context.call?.callId ?? null;
    const stillOnScreen = snapshot.matches('ended') || snapshot.matches('mandatoryTagging') || snapshot.matches('wrapUp');
    for (const [callId, call] of calls) {
      if (call.last === null && call.settled) continue;
      if (callId === current) {
        call.last = snapshot.context;
        if (call.settled) reportRecording(callId, call);
      }
      if (call.ended && !call.settled && (callId !== current || !stillOnScreen)) settle(callId);
    }
  };
  const snapshotSubscription = dialer.subscribe(onSnapshot);

  return {
    ready,
    status(callId): CallLogStatus | null {
      const why = skipped.get(callId);
      if (why) return { kind: 'skipped', reason: why };
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
      snapshotSubscription.unsubscribe();
      for (const call of calls.values()) if (call.timer !== null) clearTimeout(call.timer);
      outbox.stop();
    },
  };
}

export interface StartCallLogOptions {
  readonly dialer: CallReporterOptions['dialer'];
  readonly storage?: Pick<Storage, 'getItem' | 'setItem'> | undefined;
  /** Token and URL defaults (dev builds: VITE_CALL_LOG_URL / VITE_CALL_LOG_TOKEN). */
  readonly defaults?: { readonly url?: string | undefined; readonly token?: string | undefined };
  /** The deployment config's server.url, once loaded. */
  readonly deploymentUrl?: Promise<string | undefined>;
  readonly frontTags?: CallReporterOptions['frontTags'];
  readonly onProblem: CallReporterOptions['onProblem'];
  /** Where to hear that the network is back (window). */
  readonly online?: Pick<Window, 'addEventListener' | 'removeEventListener'> | null;
}

/**
 * The call log as the composition root starts it: settings from storage, the reporter over them;
 * saving settings or the network coming back retries at once.
 */
export function startCallLog({ dialer, storage, defaults, deploymentUrl, frontTags, onProblem, online = null }: StartCallLogOptions) {
  const settings = createCallLogSettings({ storage, ...(defaults ? { defaults } : {}) });
  if (!defaults?.url) void deploymentUrl?.then((url) => url && settings.setDefaultUrl(url));
  const reporter = createCallReporter({ dialer, settings: () => settings.current(), onProblem, ...(frontTags ? { frontTags } : {}) });
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
