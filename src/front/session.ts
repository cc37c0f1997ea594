import type { FrontConversation, FrontTag, FrontTeammate, HostContext, HostContextType } from './host';

/**
 * What the plugin knows about Front right now: whether it runs inside Front, the teammate, the
 * open conversation and Front's tags. Not call state (the call machine owns that); a small store
 * the UI reads with `useSyncExternalStore`.
 */
export interface FrontSessionState {
  readonly host: 'waiting' | 'connected' | 'unavailable';
  readonly unavailableReason: string | null;
  readonly contextType: HostContextType | null;
  readonly teammate: FrontTeammate | null;
  readonly conversation: FrontConversation | null;
  /** Front's tags once loaded; null while unknown (then the built-in tag list is used). */
  readonly tags: readonly FrontTag[] | null;
}

export interface FrontSession {
  getState(): FrontSessionState;
  subscribe(listener: () => void): () => void;
  applyContext(context: HostContext): void;
  setTags(tags: readonly FrontTag[]): void;
}

export const INITIAL_SESSION: FrontSessionState = {
  host: 'waiting',
  unavailableReason: null,
  contextType: null,
  teammate: null,
  conversation: null,
  tags: null,
};

export function createFrontSession(initial: FrontSessionState = INITIAL_SESSION): FrontSession {
  let state = initial;
  const listeners = new Set<() => void>();
  const set = (next: FrontSessionState) => {
    state = next;
    for (const listener of [...listeners]) listener();
  };
  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    applyContext(context) {
      if (context.kind === 'waiting') return;
      if (context.kind === 'unavailable') {
        set({ ...state, host: 'unavailable', unavailableReason: context.reason });
        return;
      }
      set({
        ...state,
        host: 'connected',
        unavailableReason: null,
        contextType: context.type,
        // background_mode carries no conversation: the sidebar is closed, keep the teammate.
        teammate: context.teammate ?? state.teammate,
        conversation: context.conversation,
      });
    },
    setTags(tags) {
      set({ ...state, tags: [...tags] });
    },
  };
}
