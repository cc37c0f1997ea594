import { createContext, useContext, type ReactNode } from 'react';
import type { LineManager, LineChoiceState } from '../app/lineManager';
import { useStoreValue } from '../store/react';

const LineManagerContext = createContext<LineManager | null>(null);

export function LineProvider({ lines, children }: { lines: LineManager | null; children: ReactNode }) {
  return <LineManagerContext.Provider value={lines}>{children}</LineManagerContext.Provider>;
}

/**
 * Reads what `select` picks from the line choice (simulated or SIP, registration), re-rendering
 * only when that changes; null when the app offers no choice (tests).
 */
export function useLineChoice<T>(select: (choice: LineChoiceState) => T): T | null {
  return useStoreValue<LineChoiceState, T | null>(useContext(LineManagerContext), select, null);
}

export function useLineManager(): LineManager | null {
  return useContext(LineManagerContext);
}
