/**
 * `window.__workspace`: what end-to-end tests and benchmarks read and drive. Every value it
 * returns is plain data (it crosses `page.evaluate`); times are `performance.now()` of the
 * workspace window.
 */
import type { FrontContext, FrontContextType } from './frontTypes';
import type { HostCallRecord } from './host';
import type { ActivityEntry, ContextDelivery, MalformedContext, SimulatorDelivery, TrayNotification, Workspace, WorkspaceFaults, WorkspaceState } from './workspace';

export interface WorkspaceTestHook {
  /** Every function call the plugin made, in arrival order, with its outcome once settled. */
  readonly calls: readonly HostCallRecord[];
  /** Every context delivery over the port. */
  readonly deliveries: readonly ContextDelivery[];
  /** Every message posted to the plugin's simulated line (ring the agent, caller gives up, ...). */
  readonly simulations: readonly SimulatorDelivery[];
  /**
   * `performance.timeOrigin` of the workspace window: add it to an `at` to compare with a time
   * taken in the plugin frame (`performance.timeOrigin + performance.now()` there).
   */
  readonly timeOrigin: number;
  readonly currentContext: FrontContext | null;
  /** How many SDK handshakes the workspace accepted (one per plugin load). */
  readonly handshakes: number;
  readonly notifications: readonly TrayNotification[];
  readonly activity: readonly ActivityEntry[];
  readonly sidebarOpen: boolean;
  /** The names of the tags on a conversation. */
  tagsOf(conversationId: string): string[];
  sendContext(context: Partial<FrontContext> & { type: FrontContextType }): FrontContext;
  resendLastContext(): boolean;
  callHandle(handle: string, conversationId?: string): void;
  selectConversation(id: string | null): void;
  setSidebarOpen(open: boolean): void;
  setFaults(faults: Partial<WorkspaceFaults>): void;
  /** Posts a malformed context update over the port (the current context stays as it was). */
  sendMalformedContext(kind: MalformedContext): boolean;
  ring(from?: string, name?: string): boolean;
  callerGivesUp(): boolean;
  answerElsewhere(): boolean;
  remoteHangsUp(): boolean;
  dropConnection(): boolean;
  clearLog(): void;
  state(): WorkspaceState;
}

declare global {
  interface Window {
    __workspace?: WorkspaceTestHook;
  }
}

export function createTestHook(workspace: Workspace): WorkspaceTestHook {
  const state = () => workspace.getState();
  return {
    get calls() {
      return state().calls;
    },
    get deliveries() {
      return state().deliveries;
    },
    get simulations() {
      return state().simulations;
    },
    timeOrigin: performance.timeOrigin,
    get currentContext() {
      return state().currentContext;
    },
    get handshakes() {
      return state().handshakes;
    },
    get notifications() {
      return state().notifications;
    },
    get activity() {
      return state().activity;
    },
    get sidebarOpen() {
      return state().sidebarOpen;
    },
    tagsOf: (conversationId) => workspace.conversation(conversationId)?.tags.map((tag) => tag.name) ?? [],
    sendContext: (context) => workspace.sendContext(context),
    resendLastContext: () => workspace.resendLastContext(),
    callHandle: (handle, conversationId) => workspace.callHandle(handle, conversationId),
    selectConversation: (id) => workspace.selectConversation(id),
    setSidebarOpen: (open) => workspace.setSidebarOpen(open),
    setFaults: (faults) => workspace.setFaults(faults),
    sendMalformedContext: (kind) => workspace.sendMalformedContext(kind),
    ring: (from, name) => workspace.simulate('ringAgent', { ...(from ? { from } : {}), ...(name ? { name } : {}) }),
    callerGivesUp: () => workspace.simulate('callerGivesUp'),
    answerElsewhere: () => workspace.simulate('answerElsewhere'),
    remoteHangsUp: () => workspace.simulate('remoteHangsUp'),
    dropConnection: () => workspace.simulate('dropConnection'),
    clearLog: () => workspace.clearLog(),
    state,
  };
}
