import { createContext, useContext, type ReactNode } from 'react';
import { INITIAL_SESSION, type FrontSession, type FrontSessionState } from '../front/session';
import { useStoreValue } from '../store/react';

/** A Front teammate a call can be transferred to: one with a number in the deployment's directory. */
export interface TransferTeammate {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  /** Their number or extension, as the directory gives it (the transfer field reads it like typed input). */
  readonly number: string;
}

/** What the dialer UI needs from the Front integration: the session to show, and one-click calls. */
export interface FrontView {
  readonly session: FrontSession;
  /** Calls a handle as Front shows it (normalised and checked before it reaches the line). */
  call(handle: string): void;
  /** The teammates a call can be transferred to, fetched when asked (the transfer form opens). */
  readonly transferTeammates?: () => Promise<readonly TransferTeammate[]>;
  /** Opens a URL through Front (a conversation's link opens it in Front); absent outside Front. */
  openUrl?(url: string): void;
}

const FrontViewContext = createContext<FrontView | null>(null);

export function FrontProvider({ front, children }: { front: FrontView | null; children: ReactNode }) {
  return <FrontViewContext.Provider value={front}>{children}</FrontViewContext.Provider>;
}

/**
 * Reads what `select` picks from the Front session (re-rendering only when that changes); outside
 * Front integration (tests) it reads the initial state.
 */
export function useFrontSession<T>(select: (session: FrontSessionState) => T): T {
  const front = useContext(FrontViewContext);
  return useStoreValue(front?.session ?? null, select, select(INITIAL_SESSION));
}

export function useFrontOpenUrl(): ((url: string) => void) | null {
  return useContext(FrontViewContext)?.openUrl ?? null;
}

export function useFrontCall(): ((handle: string) => void) | null {
  return useContext(FrontViewContext)?.call ?? null;
}

/** How to fetch the teammates a call can be transferred to; null outside Front or without a directory. */
export function useTransferTeammates(): (() => Promise<readonly TransferTeammate[]>) | null {
  return useContext(FrontViewContext)?.transferTeammates ?? null;
}
