import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { LineManager, LineChoiceState } from '../app/lineManager';

const LineManagerContext = createContext<LineManager | null>(null);

export function LineProvider({ lines, children }: { lines: LineManager | null; children: ReactNode }) {
  return <LineManagerContext.Provider value={lines}>{children}</LineManagerContext.Provider>;
}

const noSubscription = () => () => {};
const none = () => null;

/** The line choice (simulated or SIP, registration); null when the app offers no choice (tests). */
export function useLineChoice(): LineChoiceState | null {
  const lines = useContext(LineManagerContext);
  return useSyncExternalStore(lines ? lines.subscribe : noSubscription, lines ? lines.getState : none);
}

export function useLineManager(): LineManager | null {
  return useContext(LineManagerContext);
}
