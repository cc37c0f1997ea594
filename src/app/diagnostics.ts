import type { DiagnosticEvent } from '../machine';
import type { SipLogEntry } from '../telephony/sip';
import type { DialerActorInstance } from './createDialer';

/** One report: from the call machine, or from the Front integration / simulator / line beside it. */
export interface DiagnosticEntry {
  /** Epoch ms when it was reported. */
  readonly at: number;
  readonly source: 'machine' | 'front' | 'simulator' | 'calllog' | 'line';
  readonly detail: { readonly code: string; readonly message: string; readonly callId?: string | null };
}

/** The last few diagnostics, newest last, for debugging; never sent anywhere, never logged. */
export interface DiagnosticsLog {
  entries(): readonly DiagnosticEntry[];
  /** Adds a report from outside the machine (the Front integration, the simulator). */
  add(source: Exclude<DiagnosticEntry['source'], 'machine'>, detail: DiagnosticEntry['detail']): void;
  clear(): void;
  /** Stops listening to the machine. */
  stop(): void;
}

/** Keeps the machine's DIAGNOSTIC events in a bounded in-memory ring. */
export function recordDiagnostics(actor: DialerActorInstance, capacity = 50, now: () => number = Date.now): DiagnosticsLog {
  let ring: DiagnosticEntry[] = [];
  const push = (entry: DiagnosticEntry) => {
    ring.push(entry);
    if (ring.length > capacity) ring.shift();
  };
  const subscription = actor.on('DIAGNOSTIC', (event: DiagnosticEvent) => push({ at: now(), source: 'machine', detail: event.detail }));
  return {
    entries: () => [...ring],
    add: (source, detail) => push({ at: now(), source, detail }),
    clear: () => {
      ring = [];
    },
    stop: () => subscription.unsubscribe(),
  };
}

/**
 * The SIP line's logger (`SipLineOptions.logger`) as diagnostics: registration changes and
 * refusals, calls refused busy (486), failed media and transfers. The line has already removed
 * the password from every message.
 */
export function reportSipLog(diagnostics: Pick<DiagnosticsLog, 'add'>): (entry: SipLogEntry) => void {
  return ({ level, message }) => diagnostics.add('line', { code: `sip_${level}`, message });
}
