/**
 * The phone of one browser profile, as one plugin instance runs it (loaded off the first render by
 * ./startSoftphone.ts): the election and the mirror (src/tabs), and, in the instance that owns the
 * phone, the line, the call machine, what a reload must not lose (./continuity.ts) and the
 * commands other tabs send it.
 */
import * as v from 'valibot';
import type { DialerEvent, DialerMachine } from '../machine';
import type { ReadableStore, Store } from '../store';
import { createTabHub, platformChannel, platformLocks, toMirroredState, type TabRole } from '../tabs';
import type { Line } from '../telephony/line';
import { keepCallForNextOwner, takeSavedCall } from './continuity';
import { createDialer } from './createDialer';
import type { DiagnosticsLog } from './diagnostics';
import { loadSettings, persistSettings } from './settingsStorage';
import { currentSimulatedLine } from './simulator';
import { applySimulatorCommand } from '../telephony/simulated/remoteControl';
import {
  PHONE_HUB_NAME,
  type EmitterRelay,
  type OwnerPhone,
  type PhoneCommand,
  type PhoneIntent,
  type PhoneState,
  type RunningPhone,
  type SharedPhone,
  type SoftphoneOptions,
} from './startSoftphone';

export interface PhoneParts {
  readonly line: SoftphoneOptions['line'];
  readonly storage: Storage | undefined;
  readonly tabs: SoftphoneOptions['tabs'];
  readonly onOwner: SoftphoneOptions['onOwner'];
  readonly page: SoftphoneOptions['page'];
  readonly diagnostics: DiagnosticsLog;
  readonly report: (message: string, code?: string) => void;
  readonly emitted: EmitterRelay;
  /** The calls' own events for every tab: fed by the owner's machine here, by its broadcasts elsewhere. */
  readonly callEvents: EmitterRelay;
  /** Written here: whether this instance owns the phone, the owner's phone, the mirrored state. */
  readonly role: Store<TabRole>;
  readonly owner: Store<OwnerPhone | null>;
  readonly state: Store<PhoneState | null>;
  /** Stops the whole instance (the page is going away). */
  readonly stop: () => void;
}

const NOTHING_SHARED: SharedPhone = { line: null, callLog: null };

/** Intents of the call machine a tab may send the owner: the agent's and Front's, never a line event. */
const DIALER_INTENT = /^(AGENT\.[A-Z_]+|FRONT\.DIAL_(REQUEST|REFUSED)|SETTINGS\.UPDATE)$/;

const IntentSchema = v.looseObject({ type: v.pipe(v.string(), v.maxLength(64)) }) as unknown as v.GenericSchema<unknown, PhoneIntent>;

/** Phone commands whose handler the owner may register a moment after it takes the phone. */
const PHONE_COMMANDS = new Set(['PHONE.LINE_CONNECT', 'PHONE.LINE_DISCONNECT', 'PHONE.LINE_DEVICES', 'PHONE.LINE_DEFAULTS']);
const HANDLER_WAIT_MS = 4000;

/** The machine's events every tab hears (see ConnectFrontOptions.calls). */
const CALL_EVENTS = ['CALL_STARTED', 'TAGS_SAVED'] as const;

function isCallEvent(event: unknown): event is { type: (typeof CALL_EVENTS)[number]; detail: { callId: string } } {
  if (typeof event !== 'object' || event === null) return false;
  const { type, detail } = event as { type?: unknown; detail?: { callId?: unknown; participant?: unknown; tags?: unknown } };
  if (typeof detail !== 'object' || detail === null || typeof detail.callId !== 'string') return false;
  if (type === 'CALL_STARTED') return typeof detail.participant === 'string';
  if (type === 'TAGS_SAVED') return Array.isArray(detail.tags) && detail.tags.every((tag) => typeof tag === 'string');
  return false;
}

export function runPhone(parts: PhoneParts): RunningPhone {
  const { storage, onOwner, page, diagnostics, report, emitted, owner } = parts;
  const tabs = parts.tabs === 'platform' ? { locks: platformLocks(), channelFactory: platformChannel() } : parts.tabs;
  const handlers = new Map<string, (command: PhoneCommand) => void | Promise<void>>();
  type Run = (command: PhoneCommand) => void | Promise<void>;
  const waitingFor = new Map<string, Set<(run: Run) => void>>();
  /** The handler of `type` once registered, for at most HANDLER_WAIT_MS. */
  const handlerFor = (type: string) =>
    new Promise<Run>((resolve, reject) => {
      const waiters = waitingFor.get(type) ?? new Set<(run: Run) => void>();
      waitingFor.set(type, waiters);
      const waiter = (run: Run) => {
        clearTimeout(timer);
        resolve(run);
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error('The phone is still starting: try again.'));
      }, HANDLER_WAIT_MS);
      waiters.add(waiter);
    });

  const hub = createTabHub<PhoneState, PhoneIntent>({
    name: PHONE_HUB_NAME,
    locks: tabs?.locks,
    channelFactory: tabs?.channelFactory,
    intentSchema: IntentSchema,
    onProblem: ({ code, message }) => report(message, code),
    onIntent(intent) {
      const phone = owner.getState();
      if (!phone) throw new Error('The phone is not running in this tab.');
      if (DIALER_INTENT.test(intent.type)) {
        phone.actor.send(intent as DialerEvent);
        return;
      }
      const run = handlers.get(intent.type);
      if (run) return run(intent as PhoneCommand);
      // The owner's line choice loads right after it takes the phone: a command for it waits.
      if (!PHONE_COMMANDS.has(intent.type)) throw new Error(`${intent.type} is not a phone command.`);
      return handlerFor(intent.type).then((later) => later(intent as PhoneCommand));
    },
  });
  const stopState = follow(hub.state, parts.state);
  // The owner's CALL_STARTED / TAGS_SAVED, for this tab's Front connection (tags for the call's
  // conversation, which may be open here rather than in the owner's tab).
  const stopEvents = hub.onEvent((event) => {
    if (isCallEvent(event)) parts.callEvents.emit(event);
    else report('Ignored an event from the tab that owns the phone: it is not a call event.', 'malformed_message');
  });
  const stopRole = follow(hub.role, parts.role);

  let stopOwner = () => {};
  const stopOwnerWatch = hub.onBecomeOwner(() => {
    stopOwner = startOwner();
  });

  /** The phone in the instance that owns it. */
  function startOwner(): () => void {
    const line: Line = typeof parts.line === 'function' ? parts.line() : parts.line;
    const dialer = createDialer({ line, settings: loadSettings(storage) });
    const stopDiagnostics = diagnostics.listenTo(dialer);
    const stopPersisting = persistSettings(dialer, storage);
    const stopEmitting = emitted.attach(dialer);
    const shareCallEvent = (event: { type: string }) => {
      parts.callEvents.emit(event);
      hub.broadcast(event);
    };
    const callEventSubscriptions = CALL_EVENTS.map((type) => dialer.on(type, shareCallEvent));
    let sharedNow = NOTHING_SHARED;
    let last = dialer.getSnapshot();
    const publish = () => hub.publish({ ...toMirroredState<DialerMachine>(last), shared: sharedNow });
    dialer.subscribe((snapshot) => {
      if (snapshot === last) return;
      last = snapshot;
      publish();
    });
    dialer.start();
    // A call the previous owner left (a reload, a closed tab) comes back before anything else.
    const saved = takeSavedCall(storage, (message) => report(message, 'saved_call_unreadable'));
    if (saved) dialer.send(saved);
    const stopKeeping = keepCallForNextOwner(dialer, storage);
    publish();

    const phone: OwnerPhone = {
      actor: dialer,
      line,
      share(patch) {
        sharedNow = { ...sharedNow, ...patch };
        publish();
      },
      handle(type, run) {
        handlers.set(type, run as (command: PhoneCommand) => void | Promise<void>);
        for (const waiter of waitingFor.get(type) ?? []) waiter(run as Run);
        waitingFor.delete(type);
      },
    };
    phone.handle('PHONE.SIMULATOR', async ({ type: _type, ...simulatorCommand }) => {
      const simulated = await currentSimulatedLine(line);
      if (!simulated) throw new Error('the plugin is not on the simulated line');
      applySimulatorCommand(simulated, simulatorCommand);
    });
    owner.setState(phone);
    let stopExtras: (() => void) | void = undefined;
    try {
      stopExtras = onOwner?.(phone);
    } catch (error) {
      report(`The phone's set-up failed: ${error instanceof Error ? error.message : String(error)}`, 'owner_setup_failed');
    }
    return () => {
      stopExtras?.();
      owner.setState(null);
      handlers.clear();
      stopKeeping();
      stopEmitting();
      for (const subscription of callEventSubscriptions) subscription.unsubscribe();
      stopPersisting();
      stopDiagnostics();
      dialer.stop();
      line.dispose();
    };
  }

  // The page holding a call in progress asks before it goes (the call would end with it), and
  // the owner lets go of the phone as the page goes, so another tab takes over at once.
  const onBeforeUnload = (event: BeforeUnloadEvent) => {
    if (owner.getState()?.actor.getSnapshot().hasTag('inCall')) {
      event.preventDefault();
      event.returnValue = '';
    }
  };
  const onPageHide = () => parts.stop();
  page?.addEventListener('beforeunload', onBeforeUnload as EventListener);
  page?.addEventListener('pagehide', onPageHide);

  return {
    sendIntent: (intent) => hub.sendIntent(intent),
    stop() {
      page?.removeEventListener('beforeunload', onBeforeUnload as EventListener);
      page?.removeEventListener('pagehide', onPageHide);
      stopOwnerWatch();
      stopOwner();
      stopState();
      stopEvents();
      stopRole();
      hub.stop();
      parts.role.setState('stopped');
    },
  };
}

function follow<T>(source: ReadableStore<T>, target: Store<T>): () => void {
  target.setState(source.getState());
  return source.subscribe((value) => target.setState(value));
}
