import type { DiagnosticEvent } from '../machine';
import type { SipLogEntry } from '../telephony/sip';
import type { DialerActorInstance } from './createDialer';

/** One report: from the call machine, or from the Front integration / simulator / line beside it. */
export interface DiagnosticEntry {
  /** Epoch ms when it was reported. */
  readonly at: number;
  readonly source: 'machine' | 'front' | 'simulator' | 'calllog' | 'line' | 'tabs';
  readonly detail: { readonly code: string; readonly message: string; readonly callId?: string | null };
}

/** The last few diagnostics, newest last, for debugging; never sent anywhere, never logged. */
export interface DiagnosticsLog {
  entries(): readonly DiagnosticEntry[];
  /** Adds a report from outside the machine (the Front integration, the simulator). */
  add(source: Exclude<DiagnosticEntry['source'], 'machine'>, detail: DiagnosticEntry['detail']): void;
  clear(): void;
  /** Hears a call machine's DIAGNOSTIC events too (the owner's, while this instance owns the phone); returns the stop. */
  listenTo(actor: Pick<DialerActorInstance, 'on'>): () => void;
  /** Stops listening to every machine. */
  stop(): void;
}

/** A bounded in-memory ring of diagnostics, from the machines it listens to and from `add`. */
export function createDiagnosticsLog(capacity = 50, now: () => number = Date.now): DiagnosticsLog {
  let ring: DiagnosticEntry[] = [];
  const subscriptions = new Set<{ unsubscribe(): void }>();
  const push = (entry: DiagnosticEntry) => {
    ring.push(entry);
    if (ring.length > capacity) ring.shift();
  };
  return {
    entries: () => [...ring],
    add: (source, detail) => push({ at: now(), source, detail }),
    clear: () => {
      ring = [];
    },
    listenTo(actor) {
      const subscription = actor.on('DIAGNOSTIC', (event: DiagnosticEvent) => push({ at: now(), source: 'machine', detail: event.detail }));
      subscriptions.add(subscription);
      return () => {
        subscription.unsubscribe();
        subscriptions.delete(subscription);
      };
    },
    stop: () => {
      for (const subscription of subscriptions) subscription.unsubscribe();
      subscriptions.clear();
    },
  };
}

/** Keeps the machine's DIAGNOSTIC events in a bounded in-memory ring. */
export function recordDiagnostics(actor: DialerActorInstance, capacity = 50, now: () => number = Date.now): DiagnosticsLog {
  const log = createDiagnosticsLog(capacity, now);
  log.listenTo(actor);
  return log;
}

/**
 * The SIP line's logger (`SipLineOptions.logger`) as diagnostics: registration changes and
 * refusals, calls refused busy (486), failed media and transfers. The line has already removed
 * the password from every message.
 */
export function reportSipLog(diagnostics: Pick<DiagnosticsLog, 'add'>): (entry: SipLogEntry) => void {
  return ({ level, message }) => diagnostics.add('line', { code: `sip_${level}`, message });
}
