/**
 * The local Front workspace without its UI: what the teammate has on screen (sidebar, selected
 * conversation), what Front keeps (tags on conversations, notification banners), the functions
 * Front runs for the plugin, and the log of everything the plugin asked for. React reads it
 * through `subscribe` / `getState`; tests read the same state through `window.__workspace`.
 */
import { SIMULATOR_MESSAGE_SOURCE, type SimulatorMessage } from '../src/telephony/simulated';
import {
  backgroundContext,
  completeContext,
  contactHandleEntryPoint,
  noConversationContext,
  singleConversationContext,
} from './contexts';
import { CHANNELS, CONVERSATIONS, OTHER_TEAMMATES, TAG_PAGE_SIZE, TAGS, TEAMMATE, type ConversationFixture } from './fixtures';
import type {
  FrontContext,
  FrontContextType,
  FrontEntryPoint,
  FrontNotification,
  FrontPaginatedResults,
  FrontSingleConversation,
  FrontTag,
} from './frontTypes';
import { FrontHost, HostFunctionError, type HostCall, type HostCallRecord } from './host';

/** A banner in the notification tray. */
export interface TrayNotification {
  readonly id: string;
  readonly notification: FrontNotification;
  /** Epoch ms, for display. */
  readonly shownAt: number;
}

/** One delivery of a context over the port. */
export interface ContextDelivery {
  /** `performance.now()` when it was posted. */
  readonly at: number;
  readonly contextId: string;
  readonly type: FrontContextType;
  readonly entryPoint: FrontEntryPoint | undefined;
  /** The same context object delivered again (after a handshake, or "Resend last context"). */
  readonly resent: boolean;
}

/** A line in the workspace's activity log: handshakes, simulator commands, protocol problems. */
export interface ActivityEntry {
  readonly at: number;
  readonly text: string;
  readonly kind: 'info' | 'warning';
}

/** A message the workspace posted to the plugin's simulated line (remoteControl.ts). */
export interface SimulatorDelivery {
  /** `performance.now()` when it was posted. */
  readonly at: number;
  readonly message: SimulatorMessage;
}

export interface WorkspaceFaults {
  /** displayNotification answers with a function_error. */
  readonly failDisplayNotification: boolean;
  /** Every function answers this many ms late (lets a plugin's cancel token win). */
  readonly latencyMs: number;
}

export type SimulatorCommand = SimulatorMessage['command'];

/**
 * A malformed `context_update`, as a broken or hostile Front could send: `noContext` has no
 * context object at all; `noFunctionArities` is the current context without its functionArities.
 */
export type MalformedContext = 'noContext' | 'noFunctionArities';

export interface WorkspaceState {
  readonly pluginUrl: string;
  readonly handshakes: number;
  readonly sidebarOpen: boolean;
  readonly selectedConversationId: string | null;
  /** Tag ids on each conversation, by conversation id. */
  readonly conversationTagIds: Readonly<Record<string, readonly string[]>>;
  readonly notifications: readonly TrayNotification[];
  readonly calls: readonly HostCallRecord[];
  readonly deliveries: readonly ContextDelivery[];
  readonly currentContext: FrontContext | null;
  readonly faults: WorkspaceFaults;
  readonly openedUrls: readonly string[];
  readonly simulations: readonly SimulatorDelivery[];
  readonly activity: readonly ActivityEntry[];
}

export interface WorkspaceOptions {
  readonly window: Pick<Window, 'addEventListener' | 'removeEventListener'>;
  /** The plugin iframe's window now, or null before the iframe exists. */
  readonly pluginWindow: () => Window | null;
  readonly pluginUrl: string;
}

const MAX_LOG = 1000;

function bounded<T>(list: readonly T[], item: T): readonly T[] {
  const next = [...list, item];
  return next.length > MAX_LOG ? next.slice(next.length - MAX_LOG) : next;
}

const TAG_TOKEN = /^tags:(\d+)$/;

export class Workspace {
  private state: WorkspaceState;
  private readonly listeners = new Set<() => void>();
  private readonly host: FrontHost;
  /** How the plugin was last opened; it stays on the contexts that follow until the next opening. */
  private entryPoint: FrontEntryPoint = { type: 'SIDE_PANEL' };
  private notificationSeq = 0;
  /** Banners the teammate closed: dismissing them later is not the plugin's mistake. */
  private readonly closedByTeammate = new Set<string>();

  constructor(private readonly options: WorkspaceOptions) {
    this.state = {
      pluginUrl: options.pluginUrl,
      handshakes: 0,
      sidebarOpen: true,
      selectedConversationId: null,
      conversationTagIds: Object.fromEntries(CONVERSATIONS.map((c) => [c.id, c.initialTagIds])),
      notifications: [],
      calls: [],
      deliveries: [],
      currentContext: null,
      faults: { failDisplayNotification: false, latencyMs: 0 },
      openedUrls: [],
      simulations: [],
      activity: [],
    };
    this.host = new FrontHost({
      window: options.window,
      pluginWindow: options.pluginWindow,
      run: (call) => this.run(call),
      latencyMs: () => this.state.faults.latencyMs,
      events: {
        connected: (handshakes) => {
          this.set({ handshakes });
          this.log(handshakes === 1 ? 'The plugin completed the SDK handshake.' : `The plugin reloaded: handshake #${handshakes}, context sent again.`);
        },
        contextDelivered: (context, resent) =>
          this.set({
            deliveries: bounded(this.state.deliveries, {
              at: performance.now(),
              contextId: context.id,
              type: context.type,
              entryPoint: context.entryPoint,
              resent,
            }),
          }),
        callChanged: (record) => this.record(record),
        protocolError: (reason) => this.log(reason, 'warning'),
      },
    });
    this.sendView();
  }

  // --- Reading ---------------------------------------------------------------------------------

  getState = (): WorkspaceState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** A conversation as Front would put it in a context: with its current tags. */
  conversation(id: string): FrontSingleConversation | null {
    const fixture = CONVERSATIONS.find((c) => c.id === id);
    return fixture ? this.withTags(fixture) : null;
  }

  // --- What the teammate does ----------------------------------------------------------------

  selectConversation(id: string | null): void {
    if (id !== null && !CONVERSATIONS.some((c) => c.id === id)) throw new Error(`No conversation ${id}`);
    if (id === this.state.selectedConversationId) return;
    this.set({ selectedConversationId: id });
    // A plugin running in the background is told nothing about the conversation on screen.
    if (this.state.sidebarOpen) this.sendView();
  }

  /**
   * "Call" next to a phone handle: the sidebar opens on the plugin with a CONTACT_HANDLE entry
   * point carrying this click's timestamp. With `conversationId`, that conversation opens first.
   */
  callHandle(handle: string, conversationId?: string): void {
    if (conversationId !== undefined) {
      if (!CONVERSATIONS.some((c) => c.id === conversationId)) throw new Error(`No conversation ${conversationId}`);
      this.set({ selectedConversationId: conversationId });
    }
    this.entryPoint = contactHandleEntryPoint(handle);
    this.set({ sidebarOpen: true });
    this.sendView();
  }

  /** Delivers the current context object again, unchanged (same id, same entry point timestamp). */
  resendLastContext(): boolean {
    return this.host.resend();
  }

  /** Closed: the plugin keeps running in the background (background_mode); open: SIDE_PANEL. */
  setSidebarOpen(open: boolean): void {
    if (open === this.state.sidebarOpen) return;
    if (open) this.entryPoint = { type: 'SIDE_PANEL' };
    this.set({ sidebarOpen: open });
    this.sendView();
  }

  /** Sends any context (tests, console); a missing id or functionArities is filled in. */
  sendContext(context: Partial<FrontContext> & { type: FrontContextType }): FrontContext {
    const complete = completeContext(context);
    this.host.send(complete);
    this.set({ currentContext: complete });
    return complete;
  }

  /**
   * Sends a malformed context update (see {@link MalformedContext}); the workspace's current
   * context does not change. Returns false when no plugin is connected.
   */
  sendMalformedContext(kind: MalformedContext): boolean {
    let message: unknown = { type: 'context_update' };
    if (kind === 'noFunctionArities') {
      const { functionArities: _dropped, ...context } = this.state.currentContext ?? noConversationContext(this.entryPoint);
      message = { type: 'context_update', context: { ...context, id: `${context.id}_noarities` } };
    }
    const sent = this.host.sendRaw(message);
    this.log(
      sent ? `Sent a malformed context update (${kind === 'noContext' ? 'no context object' : 'no functionArities'}).` : 'No plugin to send a malformed context to.',
      'warning',
    );
    return sent;
  }

  /** The teammate closes a banner in the tray. */
  closeNotification(id: string): void {
    if (!this.state.notifications.some((n) => n.id === id)) return;
    this.closedByTeammate.add(id);
    this.set({ notifications: this.state.notifications.filter((n) => n.id !== id) });
  }

  setFaults(faults: Partial<WorkspaceFaults>): void {
    const latencyMs = faults.latencyMs ?? this.state.faults.latencyMs;
    if (!Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > 60_000) throw new Error('latencyMs must be an integer from 0 to 60000.');
    this.set({ faults: { ...this.state.faults, ...faults, latencyMs } });
  }

  clearLog(): void {
    this.set({ calls: [], deliveries: [], activity: [], openedUrls: [], simulations: [] });
  }

  /**
   * Plays the far end of the simulated line in the plugin (remoteControl.ts): ring the agent,
   * give up, answer elsewhere... Returns false when there is no plugin window to tell.
   */
  simulate(command: SimulatorCommand, caller: { from?: string; name?: string } = {}): boolean {
    const target = this.options.pluginWindow();
    if (!target) {
      this.log(`No plugin to send ${command} to.`, 'warning');
      return false;
    }
    const message: SimulatorMessage = {
      source: SIMULATOR_MESSAGE_SOURCE,
      command,
      ...(caller.from ? { from: caller.from } : {}),
      ...(caller.name ? { name: caller.name } : {}),
    };
    target.postMessage(message, new URL(this.state.pluginUrl).origin);
    this.set({ simulations: bounded(this.state.simulations, { at: performance.now(), message }) });
    this.log(command === 'ringAgent' ? `Ringing the agent: ${[caller.name, caller.from].filter(Boolean).join(' ') || 'next caller'}.` : `Simulator: ${command}.`);
    return true;
  }

  dispose(): void {
    this.host.dispose();
    this.listeners.clear();
  }

  // --- Front's functions -----------------------------------------------------------------------

  private run(call: HostCall): unknown {
    const [first] = call.args;
    switch (call.name) {
      case 'displayNotification':
        return this.displayNotification(first);
      case 'dismissNotification':
        return this.dismissNotification(first);
      case 'listTags':
        return this.listTags(first);
      case 'listChannels':
        return { results: CHANNELS, nextPageToken: undefined };
      case 'listTeammates':
        return { results: [TEAMMATE, ...OTHER_TEAMMATES], nextPageToken: undefined };
      case 'tag':
        return this.changeTags(call.context, first, 'add');
      case 'untag':
        return this.changeTags(call.context, first, 'remove');
      case 'openUrl':
        return this.openUrl(first);
      default:
        throw new HostFunctionError(`${call.name} is not implemented by the local workspace.`);
    }
  }

  private displayNotification(input: unknown): string {
    const notification = parseNotification(input);
    if (this.state.faults.failDisplayNotification) throw new HostFunctionError('Front could not display the notification (workspace fault switch).');
    this.notificationSeq += 1;
    const id = `ntf_${this.notificationSeq}`;
    this.set({ notifications: [...this.state.notifications, { id, notification, shownAt: Date.now() }] });
    return id;
  }

  private dismissNotification(id: unknown): void {
    if (typeof id !== 'string') throw new HostFunctionError('dismissNotification expects a notification id (a string).');
    if (this.state.notifications.some((n) => n.id === id)) {
      this.set({ notifications: this.state.notifications.filter((n) => n.id !== id) });
      return;
    }
    if (this.closedByTeammate.delete(id)) return;
    throw new HostFunctionError(`Unknown notification id ${id}: it was never shown or is already dismissed.`);
  }

  private listTags(token: unknown): FrontPaginatedResults<FrontTag> {
    let offset = 0;
    if (token !== undefined && token !== null) {
      const match = typeof token === 'string' ? TAG_TOKEN.exec(token) : null;
      offset = match ? Number(match[1]) : NaN;
      if (!Number.isInteger(offset) || offset <= 0 || offset >= TAGS.length) {
        throw new HostFunctionError(`Invalid pagination token ${JSON.stringify(token)}.`);
      }
    }
    const next = offset + TAG_PAGE_SIZE;
    return { results: TAGS.slice(offset, next), nextPageToken: next < TAGS.length ? `tags:${next}` : undefined };
  }

  private changeTags(context: FrontContext, tagIds: unknown, change: 'add' | 'remove'): void {
    if (!Array.isArray(tagIds) || !tagIds.every((id): id is string => typeof id === 'string')) {
      throw new HostFunctionError('Tag ids must be an array of strings.');
    }
    const unknown = tagIds.filter((id) => !TAGS.some((tag) => tag.id === id));
    if (unknown.length > 0) throw new HostFunctionError(`Unknown tag id${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}.`);
    const conversationIds =
      context.type === 'singleConversation'
        ? [context.conversation.id]
        : context.type === 'multiConversations'
          ? context.conversations.map((c) => c.id)
          : [];
    const next = { ...this.state.conversationTagIds };
    for (const id of conversationIds) {
      const current = next[id] ?? [];
      next[id] = change === 'add' ? [...new Set([...current, ...tagIds])] : current.filter((tag) => !tagIds.includes(tag));
    }
    this.set({ conversationTagIds: next });
    // Front tells the plugin about the changed conversation with a new context, after the answer.
    const shown = this.state.currentContext;
    if (shown?.type === 'singleConversation' && conversationIds.includes(shown.conversation.id)) {
      setTimeout(() => {
        if (this.state.currentContext === shown) this.sendView();
      }, 0);
    }
  }

  private openUrl(url: unknown): void {
    if (typeof url !== 'string' || !URL.canParse(url)) throw new HostFunctionError('openUrl expects an absolute URL.');
    this.set({ openedUrls: [...this.state.openedUrls, url] });
    this.log(`The plugin asked to open ${url}`);
  }

  // --- Plumbing --------------------------------------------------------------------------------

  /** Sends the context for what is on screen now. */
  private sendView(): void {
    const context = this.viewContext();
    this.host.send(context);
    this.set({ currentContext: context });
  }

  private viewContext(): FrontContext {
    if (!this.state.sidebarOpen) return backgroundContext();
    const id = this.state.selectedConversationId;
    const conversation = id ? this.conversation(id) : null;
    return conversation ? singleConversationContext(conversation, this.entryPoint) : noConversationContext(this.entryPoint);
  }

  private withTags(fixture: ConversationFixture): FrontSingleConversation {
    const { initialTagIds: _initial, ...conversation } = fixture;
    const ids = this.state.conversationTagIds[fixture.id] ?? [];
    return { ...conversation, tags: TAGS.filter((tag) => ids.includes(tag.id)) };
  }

  private record(record: HostCallRecord): void {
    const index = this.state.calls.findIndex((c) => c.seq === record.seq);
    if (index === -1) {
      this.set({ calls: bounded(this.state.calls, record) });
    } else {
      const calls = [...this.state.calls];
      calls[index] = record;
      this.set({ calls });
    }
  }

  private log(text: string, kind: ActivityEntry['kind'] = 'info'): void {
    this.set({ activity: bounded(this.state.activity, { at: performance.now(), text, kind }) });
  }

  private set(change: Partial<WorkspaceState>): void {
    this.state = { ...this.state, ...change };
    for (const listener of this.listeners) listener();
  }
}

function parseNotification(input: unknown): FrontNotification {
  if (typeof input !== 'object' || input === null) throw new HostFunctionError('displayNotification expects a notification object.');
  const n = input as Record<string, unknown>;
  if (n.type === 'INCOMING_CALL') {
    if (n.contact === undefined) return { type: 'INCOMING_CALL' };
    const contact = n.contact as Record<string, unknown> | null;
    if (typeof contact !== 'object' || contact === null || typeof contact.name !== 'string') {
      throw new HostFunctionError('An INCOMING_CALL notification contact needs a name (a string).');
    }
    if (contact.handle !== undefined && typeof contact.handle !== 'string') throw new HostFunctionError('contact.handle must be a string.');
    return { type: 'INCOMING_CALL', contact: { name: contact.name, ...(typeof contact.handle === 'string' ? { handle: contact.handle } : {}) } };
  }
  if (n.type === 'SUCCESS_MESSAGE' || n.type === 'ERROR_MESSAGE') {
    if (typeof n.title !== 'string' || typeof n.message !== 'string') {
      throw new HostFunctionError(`A ${n.type} notification needs a title and a message (strings).`);
    }
    return { type: n.type, title: n.title, message: n.message };
  }
  throw new HostFunctionError(`Unknown notification type ${JSON.stringify(n.type)}: expected INCOMING_CALL, SUCCESS_MESSAGE or ERROR_MESSAGE.`);
}
