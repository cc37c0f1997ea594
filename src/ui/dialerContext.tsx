import { createContext, useCallback, useContext, type ReactNode } from 'react';
import { useSelector } from '@xstate/react';
import type { ActorRefFrom } from 'xstate';
import type { AgentIntent, DialerMachine, DialerSnapshot } from '../machine';

/**
 * The running call machine, as the UI sees it: something to read snapshots from and send intents
 * to. The machine itself, or its mirror in a tab that does not own the phone (src/tabs).
 */
export type DialerActor = Pick<ActorRefFrom<DialerMachine>, 'getSnapshot' | 'subscribe' | 'send'>;

const DialerActorContext = createContext<DialerActor | null>(null);

/** Makes the call machine available to every dialer component below it. */
export function DialerProvider({ actor, children }: { actor: DialerActor; children: ReactNode }) {
  return <DialerActorContext.Provider value={actor}>{children}</DialerActorContext.Provider>;
}

/** The machine itself, for the few places that read a snapshot on demand (keyboard shortcuts). */
export function useDialerActor(): DialerActor {
  const actor = useContext(DialerActorContext);
  if (!actor) throw new Error('Dialer components must be rendered inside <DialerProvider>.');
  return actor;
}

/** Reads a slice of the machine's snapshot; the component re-renders only when the slice changes. */
export function useDialer<T>(selector: (snapshot: DialerSnapshot) => T, compare?: (a: T, b: T) => boolean): T {
  return useSelector(useDialerActor(), selector, compare);
}

/** Sends the agent's intents to the machine. */
export function useSend(): (intent: AgentIntent) => void {
  const actor = useDialerActor();
  return useCallback((intent: AgentIntent) => actor.send(intent), [actor]);
}
