import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import { INITIAL_SESSION, type FrontSession, type FrontSessionState } from '../front/session';

/** What the dialer UI needs from the Front integration: the session to show, and one-click calls. */
export interface FrontView {
  readonly session: FrontSession;
  /** Calls a handle as Front shows it (normalised and checked before it reaches the line). */
  call(handle: string): void;
}

const FrontViewContext = createContext<FrontView | null>(null);

export function FrontProvider({ front, children }: { front: FrontView | null; children: ReactNode }) {
  return <FrontViewContext.Provider value={front}>{children}</FrontViewContext.Provider>;
}

const noSubscription = () => () => {};
const initial = () => INITIAL_SESSION;

/** Reads the Front session; outside Front integration (tests, storybook) it is the initial state. */
export function useFrontSession(): FrontSessionState {
  const front = useContext(FrontViewContext);
  return useSyncExternalStore(front ? front.session.subscribe : noSubscription, front ? front.session.getState : initial);
}

export function useFrontCall(): ((handle: string) => void) | null {
  return useContext(FrontViewContext)?.call ?? null;
}
