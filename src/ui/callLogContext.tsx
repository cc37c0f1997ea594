import { createContext, useCallback, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { CallLogSettingsStore, CallLogStatus, CallLogView } from '../calllog/view';

const CallLogContext = createContext<CallLogView | null>(null);

/** Call logging (settings and per-call status); null when the app has none (tests). */
export function CallLogProvider({ callLog, children }: { callLog: CallLogView | null; children: ReactNode }) {
  return <CallLogContext.Provider value={callLog}>{children}</CallLogContext.Provider>;
}

const noSubscription = () => () => {};

/** Where the call stands with the call log; null when unknown or no call log is configured. */
export function useCallLogStatus(callId: string | null): CallLogStatus | null {
  const view = useContext(CallLogContext);
  const get = useCallback(() => (view && callId ? view.status(callId) : null), [view, callId]);
  // Statuses are fresh objects: compare by content so React sees a stable value.
  const key = useSyncExternalStore(view ? view.subscribe : noSubscription, () => JSON.stringify(get()));
  return JSON.parse(key) as CallLogStatus | null;
}

/** The call-log settings once loaded (they load just after start-up); null before or without. */
export function useCallLogSettings(): CallLogSettingsStore | null {
  const view = useContext(CallLogContext);
  return useSyncExternalStore(view ? view.subscribe : noSubscription, () => view?.settings() ?? null);
}
