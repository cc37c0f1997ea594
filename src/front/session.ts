import { createStore, type ReadableStore } from '../store';
import type { FrontConversation, FrontTag, FrontTeammate, HostContext, HostContextType } from './host';

/**
 * What the plugin knows about Front right now: whether it runs inside Front, the teammate, the
 * open conversation and Front's tags. Not call state (the call machine owns that); a small store
 * the UI reads with `useStoreValue`.
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

export interface FrontSession extends ReadableStore<FrontSessionState> {
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
  const store = createStore(initial);
  const set = (patch: Partial<FrontSessionState>) => store.setState((state) => ({ ...state, ...patch }));
  return {
    getState: store.getState,
    subscribe: store.subscribe,
    applyContext(context) {
      if (context.kind === 'waiting') return;
      if (context.kind === 'unavailable') {
        set({ host: 'unavailable', unavailableReason: context.reason });
        return;
      }
      set({
        host: 'connected',
        unavailableReason: null,
        contextType: context.type,
        // background_mode carries no conversation: the sidebar is closed, keep the teammate.
        teammate: context.teammate ?? store.getState().teammate,
        conversation: context.conversation,
      });
    },
    setTags(tags) {
      set({ tags: [...tags] });
    },
  };
}
