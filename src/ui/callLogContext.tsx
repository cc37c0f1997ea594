import { createContext, useContext, type ReactNode } from 'react';
import type { CallLogSettingsStore, CallLogStatus, CallLogView } from '../calllog/view';
import { useStoreValue } from '../store/react';

const CallLogContext = createContext<CallLogView | null>(null);

/** Call logging (settings and per-call status); null when the app has none (tests). */
export function CallLogProvider({ callLog, children }: { callLog: CallLogView | null; children: ReactNode }) {
  return <CallLogContext.Provider value={callLog}>{children}</CallLogContext.Provider>;
}

/** Where the call stands with the call log; null when unknown or no call log is configured. */
export function useCallLogStatus(callId: string | null): CallLogStatus | null {
  // A status is a fresh object each time it is read: the binding compares it field by field.
  return useStoreValue(useContext(CallLogContext), (view) => (callId ? view.status(callId) : null), null);
}

/** The call-log settings once loaded (they load just after start-up); null before or without. */
export function useCallLogSettings(): CallLogSettingsStore | null {
  return useStoreValue(useContext(CallLogContext), (view) => view.settings, null);
}
