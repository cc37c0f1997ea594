import { createActor } from 'xstate';
import type { CallLogStatus } from '../calllog/view';
import type { FrontConnection, NormalizedHandle } from '../front/connectFront';
import type { FrontHost, HostContext } from '../front/host';
import { createFrontSession, type FrontSession } from '../front/session';
import { dialerMachine, type DialerEvent, type DialerMachine } from '../machine';
import { createNumberReader, type NumberReader } from '../phone';
import { createStore, type ReadableStore } from '../store';
import { createMirroredActor, toMirroredState, type MirroredActor, type MirroredState } from '../tabs/mirroredActor';
import type { ChannelFactory, LockPort, TabHub, TabRole } from '../tabs';
import type { Line } from '../telephony/line';
import { SIMULATED_CAPABILITIES } from '../telephony/simulated/capabilities';
import type { SimulatorCommand } from '../telephony/simulated/remoteControl';
import type { SipAccount, SipDevices } from '../telephony/sip';
import type { DialerActorInstance } from './createDialer';
import { createDiagnosticsLog, type DiagnosticsLog } from './diagnostics';
import type { LineChoiceState } from './lineManager';
import { loadSettings } from './settingsStorage';

/** What every tab mirrors beside the call machine: what the owner's line and call log say. */
export interface SharedPhone {
  /** The owner's line choice (never a password); null until the owner says. */
  readonly line: LineChoiceState | null;
  /** The call log's word on the call on screen; null when none. */
  readonly callLog: { readonly callId: string; readonly status: CallLogStatus } | null;
}

/** What the owner publishes: its machine's state (rebuilt as a snapshot in every tab) and {@link SharedPhone}. */
export type PhoneState = MirroredState<DialerMachine> & { readonly shared: SharedPhone };

/** Commands for the phone beside the call machine, run by the owner whichever tab sends them. */
export type PhoneCommand =
  | ({ type: 'PHONE.SIMULATOR' } & SimulatorCommand)
  | { type: 'PHONE.LINE_CONNECT'; account: SipAccount }
  | { type: 'PHONE.LINE_DISCONNECT' }
  | { type: 'PHONE.LINE_DEVICES'; devices: SipDevices }
  | { type: 'PHONE.LINE_DEFAULTS'; defaults: LineChoiceState['defaults'] };

export type PhoneIntent = DialerEvent | PhoneCommand;

/** The phone as the instance that owns it runs it. */
export interface OwnerPhone {
  readonly actor: DialerActorInstance;
  readonly line: Line;
  /** Tells every tab (see {@link SharedPhone}). */
  share(patch: Partial<SharedPhone>): void;
  /** Runs the commands of this type, whichever tab sends them. Throwing refuses the command. */
  handle<T extends PhoneCommand['type']>(type: T, run: (command: Extract<PhoneCommand, { type: T }>) => void | Promise<void>): void;
}

type SimulatorParent = { target: Pick<Window, 'addEventListener' | 'removeEventListener'>; parent: unknown };

export interface SoftphoneOptions {
  /** The line, or how to make it: only the instance that owns the phone makes (and uses) one. */
  readonly line: Line | (() => Line);
  readonly host: FrontHost;
  readonly storage?: Storage | undefined;
  /**
   * The deployment's number reader (region for numbers written without +country code, extension
   * rule; its rules may still be loading); the default rules (US, no extensions) when omitted.
   */
  readonly numbers?: NumberReader;
  /** The window that may drive the simulated line (the local Front workspace); none in production. */
  readonly simulatorParent?: SimulatorParent | null | Promise<SimulatorParent | null>;
  /**
   * How the plugin instances of one browser profile (every Front tab) find each other: Web Locks
   * and BroadcastChannel (src/tabs). Without them this instance owns its phone alone.
   */
  readonly tabs?: { readonly locks: LockPort | undefined; readonly channelFactory: ChannelFactory | undefined } | 'platform' | null;
  /** What the owner sets up beside its phone (the line choice, the call log); returns its stop. */
  readonly onOwner?: (phone: OwnerPhone) => (() => void) | void;
  /** Where the page says it is going away (beforeunload / pagehide); none in tests. */
  readonly page?: Pick<Window, 'addEventListener' | 'removeEventListener'> | null;
}

export interface Softphone {
  /** The call machine as every tab sees it: the owner's, mirrored; intents go to the owner. */
  readonly actor: MirroredActor<DialerMachine>;
  /** Whether this instance owns the phone (rings, plays audio, notifies, reports the calls). */
  readonly role: ReadableStore<TabRole>;
  /** The owner's phone, in the instance that owns it; null elsewhere. */
  readonly owner: ReadableStore<OwnerPhone | null>;
  /** What the owner shares beside its machine. */
  readonly shared: ReadableStore<SharedPhone>;
  /** Sends a phone command to the owner; rejects with why it was refused. */
  command(command: PhoneCommand): Promise<void>;
  readonly session: FrontSession;
  readonly front: FrontConnection;
  readonly diagnostics: DiagnosticsLog;
  stop(): void;
}

/** The lock and channel every instance of the plugin in a browser profile uses. */
export const PHONE_HUB_NAME = 'front-softphone/phone';

const NOTHING_SHARED: SharedPhone = { line: null, callLog: null };

/**
 * The composition root of one plugin instance: the Front connection and the UI's view of the
 * phone, in every Front tab; the phone itself (line, call machine, notifications, call log) in the
 * one instance that owns it (src/tabs, run by ./phone.ts, which loads off the first render).
 * Everything that talks to the outside world is passed in, so tests build the same thing with fakes.
 */
export function startSoftphone({
  line,
  host,
  storage,
  numbers = createNumberReader(),
  simulatorParent = null,
  tabs = null,
  onOwner,
  page = null,
}: SoftphoneOptions): Softphone {
  const diagnostics = createDiagnosticsLog();
  const session = createFrontSession();
  // What Front sent and the host ignored (a malformed context update) is said, never silent.
  const stopHostProblems = host.onProblem?.((problem) => diagnostics.add('front', problem)) ?? (() => {});
  const report = (message: string, code = 'tabs_problem') => diagnostics.add('tabs', { code, message });

  // What the phone says, written by ./phone.ts once loaded; until then this tab shows an idle
  // phone, and what the teammate asks for waits for it, in order.
  const role = createStore<TabRole>('follower');
  const owner = createStore<OwnerPhone | null>(null);
  const state = createStore<PhoneState | null>(null);
  // Emitted events of the owner's machine, for the Front connection (notifications, tags): heard
  // only where the phone is owned, so a notification is raised once whatever the number of tabs.
  const emitted = createEmitterRelay();
  // The calls' own events (CALL_STARTED, TAGS_SAVED), heard in every tab: the tab whose
  // conversation a call belongs to applies its tags.
  const callEvents = createEmitterRelay();
  let stopped = false;
  const phone: Promise<RunningPhone | null> = import('./phone').then(({ runPhone }) =>
    stopped ? null : runPhone({ line, storage, tabs, onOwner, page, diagnostics, report, emitted, callEvents, role, owner, state, stop: () => stopAll() }),
  );
  const sendIntent = (intent: PhoneIntent) =>
    phone.then((running) => (running ? running.sendIntent(intent) : Promise.reject(new Error('The phone has stopped.'))));

  const initialState = toMirroredState<DialerMachine>(createActor(dialerMachine, { input: { capabilities: SIMULATED_CAPABILITIES, settings: loadSettings(storage) } }).getSnapshot());
  const actor = createMirroredActor(dialerMachine, { state, sendIntent } as unknown as Pick<TabHub<MirroredState<DialerMachine>, DialerEvent>, 'state' | 'sendIntent'>, {
    initial: initialState,
    onProblem: ({ code, message }) => report(message, code),
  });
  const shared: ReadableStore<SharedPhone> = derivedStore(state, (current) => current?.shared ?? NOTHING_SHARED);
  const command = (c: PhoneCommand) => sendIntent(c);

  // Call-button numbers go through the same reader as every other dial. The rules may still be
  // loading; once known (and the tools loaded), numbers are read in the same task as the click.
  const toHandle = (target: Awaited<ReturnType<NumberReader['read']>>): NormalizedHandle =>
    target.ok ? { ok: true, e164: target.number, ...(target.extension ? { extension: target.extension } : {}) } : target;
  const normalize = (handle: string): NormalizedHandle | Promise<NormalizedHandle> => {
    const result = numbers.read(handle);
    return result instanceof Promise ? result.then(toHandle) : toHandle(result);
  };

  // The Front connector and the simulator door load beside the Front SDK (itself lazy), off the
  // first render. Contexts that arrive meanwhile are kept, every one, and replayed in order.
  // A Call-button click in any tab dials through the owner, once.
  const buffered = replayingHost(host);
  const connection: Promise<FrontConnection | null> = import('../front/connectFront').then(({ connectFront }) =>
    stopped
      ? null
      : connectFront({
          host: buffered,
          session,
          dialer: { send: (event) => actor.send(event), on: emitted.on },
          calls: { on: callEvents.on },
          normalize,
          report: (d) => diagnostics.add('front', d),
        }),
  );
  let connected: FrontConnection | null = null;
  void connection.then((c) => (connected = c));
  const front: FrontConnection = {
    call: (handle) => connection.then((c) => c?.call(handle)),
    conversationOf: (callId) => connected?.conversationOf(callId) ?? null,
    stop: () => void connection.then((c) => c?.stop()),
  };

  // The page embedding the plugin (the local Front workspace) may play the simulated network's
  // far end: its messages reach the owner's simulated line, whichever tab they arrive in.
  // Only where the deployment offers the simulated line (a promise while its config loads).
  const simulator = Promise.resolve(simulatorParent).then((door) =>
    door
      ? import('../telephony/simulated/remoteControl').then(({ listenForSimulatorMessages }) =>
          stopped
            ? () => {}
            : listenForSimulatorMessages(
                (simulatorCommand) => command({ type: 'PHONE.SIMULATOR', ...simulatorCommand }),
                door.target,
                door.parent,
                (message) => diagnostics.add('simulator', { code: 'simulator_refused', message }),
              ),
        )
      : () => {},
  );

  function stopAll() {
    if (stopped) return;
    stopped = true;
    void simulator.then((stop) => stop());
    void phone.then((running) => running?.stop());
    front.stop();
    buffered.stop();
    stopHostProblems();
  }

  return { actor, role, owner, shared, command, session, front, diagnostics, stop: stopAll };
}

/** A store of `select(source)`, the same object while the selected value is. */
function derivedStore<S, T>(source: ReadableStore<S>, select: (state: S) => T): ReadableStore<T> {
  const store = createStore(select(source.getState()));
  source.subscribe((state) => store.setState(select(state)));
  return { getState: store.getState, subscribe: store.subscribe };
}

type DialerEmitted = Parameters<DialerActorInstance['on']>[0];

/** The emitted events of the machine that owns the phone, for listeners in every tab. */
export type EmitterRelay = ReturnType<typeof createEmitterRelay>;

/** The phone as ./phone.ts runs it. */
export interface RunningPhone {
  sendIntent(intent: PhoneIntent): Promise<void>;
  stop(): void;
}

/**
 * The owner's emitted events for listeners that exist in every tab: they hear the machine of this
 * instance while it owns the phone, and nothing otherwise.
 */
function createEmitterRelay() {
  const listeners = new Map<string, Set<(event: never) => void>>();
  const relay = {
    on: ((type: string, handler: (event: never) => void) => {
      let set = listeners.get(type);
      if (!set) listeners.set(type, (set = new Set()));
      set.add(handler);
      return { unsubscribe: () => void set.delete(handler) };
    }) as unknown as DialerActorInstance['on'],
    /** Tells the listeners of its type. */
    emit(event: { type: string }): void {
      for (const handler of [...(listeners.get(event.type) ?? [])]) (handler as (e: unknown) => void)(event);
    },
    attach(dialer: DialerActorInstance): () => void {
      const subscription = dialer.on('*' as DialerEmitted, (event: { type: string }) => relay.emit(event));
      return () => subscription.unsubscribe();
    },
  };
  return relay;
}

/**
 * A host whose contexts are all kept from now until the first listener subscribes, then replayed
 * to it in order (a plain host replays only the latest, and a Call-button click in an earlier
 * context must not be lost while the connector loads).
 */
function replayingHost(host: FrontHost): FrontHost & { stop(): void } {
  const early: HostContext[] = [];
  const listeners = new Set<(context: HostContext) => void>();
  let latest: HostContext | null = null;
  const stop = host.subscribe((context) => {
    latest = context;
    if (listeners.size === 0) early.push(context);
    else for (const listener of [...listeners]) listener(context);
  });
  return {
    displayNotification: (n) => host.displayNotification(n),
    dismissNotification: (id) => host.dismissNotification(id),
    listTags: () => host.listTags(),
    listTeammates: () => host.listTeammates(),
    tagConversation: (ids) => host.tagConversation(ids),
    openUrl: (url) => host.openUrl(url),
    subscribe(listener) {
      listeners.add(listener);
      const replay = early.length > 0 ? early.splice(0) : latest ? [latest] : [];
      for (const context of replay) listener(context);
      return () => listeners.delete(listener);
    },
    stop,
  };
}
