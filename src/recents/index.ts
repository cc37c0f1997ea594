/**
 * Recent calls (issue 10): the owner of the phone records each call of the teammate as it ends
 * (IndexedDB, ./store.ts) and tells every tab over a BroadcastChannel; every tab reads the list
 * and counts the missed calls since the teammate last looked (local storage, so every tab agrees).
 * Loaded lazily: nothing here is on the first screen.
 */
import type { Actor } from 'xstate';
import type { Softphone } from '../app/startSoftphone';
import type { DialerMachine } from '../machine/dialerMachine';
import type { EndReason } from '../telephony/protocol';
import type { Direction } from '../machine/types';
import { memoryRecentCallsStore, openRecentCallsStore, type RecentCall, type RecentCallsStore, type RecentOutcome } from './store';

export { MAX_RECENT_CALLS, type RecentCall, type RecentCallsStore, type RecentOutcome } from './store';
export { memoryRecentCallsStore, openRecentCallsStore };

export const RECENTS_CHANNEL = 'front-softphone/recents';
export const SEEN_KEY_PREFIX = 'front-softphone/recents-seen/';
/** The key calls are kept under outside Front (no teammate known). */
export const OUTSIDE_FRONT = 'outside-front';

/** What the teammate sees of how a call ended. */
export function outcomeOf(direction: Direction, reason: EndReason, connected: boolean): RecentOutcome {
  if (connected || reason === 'answeredElsewhere') return 'answered';
  switch (reason) {
    case 'missed':
    case 'noAnswer':
    case 'cancelled':
      return 'missed';
    case 'declined':
    case 'rejected':
      return 'declined';
    case 'busy':
      return 'busy';
    default:
      return direction === 'inbound' && reason === 'remoteHangup' ? 'missed' : 'failed';
  }
}

/** An incoming call nobody answered: what the missed-call count counts. */
export function isMissed(call: RecentCall): boolean {
  return call.direction === 'inbound' && call.outcome === 'missed';
}

let shared: Promise<RecentCallsStore> | null = null;
/** The page's store: IndexedDB, or memory where it is blocked. */
export function recentCallsStore(): Promise<RecentCallsStore> {
  shared ??= openRecentCallsStore().catch(() => memoryRecentCallsStore());
  return shared;
}

type Channel = Pick<BroadcastChannel, 'postMessage' | 'close'> & { onmessage: ((event: MessageEvent) => void) | null };
const openChannel = (): Channel | null => (typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(RECENTS_CHANNEL));

export interface RecorderOptions {
  readonly dialer: Pick<Actor<DialerMachine>, 'on'>;
  /** Front's teammate id now; null outside Front. */
  readonly teammateId: () => string | null;
  /** The Front conversation of a call, when known. */
  readonly conversationOf?: (callId: string) => string | null;
  readonly store?: RecentCallsStore | Promise<RecentCallsStore>;
  /** Told after each call is stored (every tab listens). */
  readonly changed?: () => void;
  readonly now?: () => number;
  readonly onProblem?: (message: string) => void;
}

/** Records each call of the machine that owns the phone as it ends. Returns its stop. */
export function recordRecentCalls({ dialer, teammateId, conversationOf, store = recentCallsStore(), changed, now = Date.now, onProblem }: RecorderOptions): () => void {
  const open = new Map<string, { name?: string; startedAt: number; connectedAt: number | null }>();
  const channel = changed ? null : openChannel();
  const tell = changed ?? (() => channel?.postMessage('changed'));
  const subscriptions = [
    dialer.on('CALL_STARTED', ({ detail }) => {
      open.set(detail.callId, { ...(detail.name ? { name: detail.name } : {}), startedAt: now(), connectedAt: null });
      while (open.size > 10) open.delete(open.keys().next().value!);
    }),
    dialer.on('CALL_CONNECTED', ({ detail }) => {
      const call = open.get(detail.callId);
      if (call) call.connectedAt = now();
    }),
    dialer.on('CALL_ENDED', ({ detail }) => {
      const endedAt = now();
      const started = open.get(detail.callId);
      open.delete(detail.callId);
      const connectedAt = started?.connectedAt ?? null;
      const conversationId = conversationOf?.(detail.callId) ?? null;
      const call: RecentCall = {
        teammateId: teammateId() ?? OUTSIDE_FRONT,
        callId: detail.callId,
        direction: detail.callType,
        number: detail.participant,
        ...(started?.name ? { name: started.name } : {}),
        startedAt: started?.startedAt ?? endedAt,
        endedAt,
        durationSeconds: connectedAt === null ? null : Math.max(0, Math.round((endedAt - connectedAt) / 1000)),
        outcome: outcomeOf(detail.callType, detail.reason, connectedAt !== null),
        ...(conversationId ? { conversationId } : {}),
      };
      void Promise.resolve(store)
        .then((s) => s.put(call))
        .then(tell, () => onProblem?.('A call could not be added to Recent calls (browser storage).'));
    }),
  ];
  return () => {
    for (const subscription of subscriptions) subscription.unsubscribe();
    channel?.close();
  };
}

/** {@link recordRecentCalls} for the owner's machine, with Front's teammate and conversation of the softphone. */
export function recordOwnerCalls(dialer: RecorderOptions['dialer'], softphone: Pick<Softphone, 'session' | 'front' | 'diagnostics'>): () => void {
  return recordRecentCalls({
    dialer,
    teammateId: () => softphone.session.getState().teammate?.id ?? null,
    conversationOf: (callId) => softphone.front.conversationOf(callId),
    onProblem: (message) => softphone.diagnostics.add('front', { code: 'recents_failed', message }),
  });
}

/** Calls back whenever any tab recorded a call. Returns its stop. */
export function onRecentCallsChanged(listener: () => void): () => void {
  const channel = openChannel();
  if (!channel) return () => {};
  channel.onmessage = () => listener();
  return () => channel.close();
}

type SeenStorage = Pick<Storage, 'getItem' | 'setItem'> | undefined;

/** This page's copy, for when the browser refuses local storage (third-party storage blocked). */
const seenInPage = new Map<string, number>();

/** When the teammate last looked at Recent calls (epoch ms; 0 never). */
export function lastSeen(storage: SeenStorage, teammateId: string): number {
  let stored = 0;
  try {
    const value = Number(storage?.getItem(SEEN_KEY_PREFIX + teammateId) ?? 0);
    if (Number.isFinite(value)) stored = value;
  } catch {
    // Storage blocked: this page's copy.
  }
  return Math.max(stored, seenInPage.get(teammateId) ?? 0);
}

export function markSeen(storage: SeenStorage, teammateId: string, at: number): void {
  seenInPage.set(teammateId, at);
  try {
    storage?.setItem(SEEN_KEY_PREFIX + teammateId, String(at));
  } catch {
    // Blocked storage: this page remembers; other tabs and a reload do not.
  }
}

/** Missed incoming calls that ended after the teammate last looked. */
export function missedSince(calls: readonly RecentCall[], seenAt: number): number {
  return calls.filter((call) => isMissed(call) && call.endedAt > seenAt).length;
}
