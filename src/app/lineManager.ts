import type { Actor } from 'xstate';
import type { DialerMachine } from '../machine/dialerMachine';
import { selectBusy } from '../machine/selectors';
import { createStore, type ReadableStore } from '../store';
import { LineError, type Line } from '../telephony/line';
import type { SwitchableLine } from '../telephony/switchableLine';
import type { RegistrationState, SipAccount, SipDevices, SipLine } from '../telephony/sip';

/** What the agent sees of the line choice; never holds the password. */
export interface LineChoiceState {
  readonly kind: 'simulated' | 'sip';
  /** The saved SIP account, without its password. */
  readonly account: Omit<SipAccount, 'password'> | null;
  readonly hasSavedPassword: boolean;
  readonly registration: RegistrationState | null;
  readonly connecting: boolean;
  /** Why the last Connect failed, in words (field names, never the password). */
  readonly error: string | null;
  readonly fieldErrors: Partial<Record<keyof SipAccount, string>>;
  readonly devices: SipDevices;
  /** Deployment-wide defaults for the account form and the calls' ICE servers (softphone.config.json). */
  readonly defaults: { readonly websocketUrl?: string; readonly domain?: string; readonly iceServers?: readonly RTCIceServer[] };
}

export interface LineManager extends ReadableStore<LineChoiceState> {
  /** Validates the account, signs in and switches to the SIP line. An empty password reuses the saved one. */
  connect(account: SipAccount): Promise<void>;
  /** Signs out and goes back to the simulated line. */
  disconnect(): void;
  setDevices(devices: SipDevices): Promise<void>;
  setDefaults(defaults: LineChoiceState['defaults']): void;
  stop(): void;
}

export interface LineManagerOptions {
  readonly line: SwitchableLine;
  readonly dialer: Actor<DialerMachine>;
  /** Makes a fresh simulated line (after Disconnect). */
  readonly simulated: () => Line;
  readonly createSip: (account: SipAccount, options: { devices: SipDevices; iceServers: RTCIceServer[] }) => Promise<SipLine>;
  readonly storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined;
  /**
   * Starts fetching short-lived TURN credentials for the SIP line (the call-logging server's, see
   * turnCredentials.ts): `onServers` receives each fresh set. Returns the stop. Absent: no TURN
   * beyond the deployment's.
   */
  readonly turnCredentials?: (onServers: (servers: RTCIceServer[]) => void) => () => void;
}

/**
 * The ICE servers of a call: the deployment's (softphone.config.json, as written), then the
 * teammate's own STUN servers (Settings), then the call-logging server's short-lived TURN
 * credentials. All of them: a teammate's STUN server never hides the deployment's TURN relay.
 */
export function combineIceServers(deployment: readonly RTCIceServer[] = [], teammate: readonly string[] = [], turn: readonly RTCIceServer[] = []): RTCIceServer[] {
  return [...deployment, ...(teammate.length > 0 ? [{ urls: [...teammate] }] : []), ...turn];
}

const ACCOUNT_KEY = 'softphone.sip.account';
const DEVICES_KEY = 'softphone.sip.devices';

function read<T>(storage: LineManagerOptions['storage'], key: string): T | null {
  try {
    const raw = storage?.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

function write(storage: LineManagerOptions['storage'], key: string, value: unknown): void {
  try {
    if (value === null) storage?.removeItem(key);
    else storage?.setItem(key, JSON.stringify(value));
  } catch {
    // Storage can be blocked or full: the choice then lasts until reload.
  }
}

function withoutPassword({ password: _password, ...rest }: SipAccount): Omit<SipAccount, 'password'> {
  return rest;
}

/**
 * Chooses the line: the simulated network by default, the SIP line once the agent connects an
 * account (kept in the browser's storage, password included, so the line comes back after a
 * reload). Lines are only switched while no call is in progress.
 */
export function createLineManager({ line, dialer, simulated, createSip, storage, turnCredentials }: LineManagerOptions): LineManager {
  // Checked for real (validateSipAccount) when connecting; here only its shape, to show it.
  const saved = read<SipAccount>(storage, ACCOUNT_KEY);
  const savedAccount =
    saved && typeof saved.websocketUrl === 'string' && typeof saved.sipUri === 'string' && typeof saved.password === 'string' ? saved : null;
  let password = savedAccount?.password ?? null;
  let stopRegistration = () => {};
  let stopTurn = () => {};
  let turnServers: RTCIceServer[] = [];
  let stopped = false;
  const store = createStore<LineChoiceState>({
    kind: line.kind === 'sip' ? 'sip' : 'simulated',
    account: savedAccount ? withoutPassword(savedAccount) : null,
    hasSavedPassword: password !== null,
    registration: null,
    connecting: false,
    error: null,
    fieldErrors: {},
    devices: read<SipDevices>(storage, DEVICES_KEY) ?? {},
    defaults: {},
  });
  const set = (patch: Partial<LineChoiceState>) => store.setState((state) => ({ ...state, ...patch }));

  const iceServersFor = (account: Omit<SipAccount, 'password'> | null) => combineIceServers(store.getState().defaults.iceServers, account?.iceServers, turnServers);
  /** Hands the SIP line in use the ICE servers as they are now (for its next calls). */
  const updateIceServers = () => {
    const current = line.current;
    if (current.kind === 'sip' && !stopped) (current as SipLine).setIceServers(iceServersFor(store.getState().account));
  };

  const switchTo = (next: Line) => {
    stopRegistration();
    stopRegistration = () => {};
    stopTurn();
    stopTurn = () => {};
    turnServers = [];
    const previous = line.use(next);
    previous.dispose();
    dialer.send({ type: 'LINE.SWITCHED', capabilities: next.capabilities });
  };

  const busyMessage = 'Finish the current call before changing the phone line.';

  const manager: LineManager = {
    getState: store.getState,
    subscribe: (listener) =>
      store.subscribe((state, previous) => {
        // Stopped: nobody is told any more (a Connect still under way may yet settle).
        if (!stopped) listener(state, previous);
      }),
    async connect(input) {
      if (selectBusy(dialer.getSnapshot())) {
        set({ error: busyMessage });
        return;
      }
      const account = { ...input, password: input.password || password || '' };
      // The SIP module (validation, then JsSIP) loads on the first Connect, off the first render.
      const { validateSipAccount } = await import('../telephony/sip');
      const checked = validateSipAccount(account);
      if (!checked.ok) {
        set({ error: 'Check the highlighted fields.', fieldErrors: checked.errors });
        return;
      }
      set({ connecting: true, error: null, fieldErrors: {} });
      let sip: SipLine;
      try {
        sip = await createSip(checked.account, { devices: store.getState().devices, iceServers: iceServersFor(checked.account) });
      } catch (error) {
        set({ connecting: false, error: error instanceof LineError || error instanceof Error ? error.message : 'The SIP line could not start.' });
        return;
      }
      if (stopped || selectBusy(dialer.getSnapshot())) {
        sip.dispose();
        set({ connecting: false, error: stopped ? null : busyMessage });
        return;
      }
      switchTo(sip);
      stopRegistration = sip.registration.subscribe((registration) => set({ registration }));
      stopTurn =
        turnCredentials?.((servers) => {
          turnServers = servers;
          updateIceServers();
        }) ?? (() => {});
      password = checked.account.password;
      write(storage, ACCOUNT_KEY, checked.account);
      set({
        kind: 'sip',
        account: withoutPassword(checked.account),
        hasSavedPassword: true,
        registration: sip.registration.getState(),
        connecting: false,
      });
    },
    disconnect() {
      if (selectBusy(dialer.getSnapshot())) {
        set({ error: busyMessage });
        return;
      }
      if (line.kind !== 'sip') return;
      switchTo(simulated());
      set({ kind: 'simulated', registration: null, error: null });
    },
    async setDevices(devices) {
      const next = { ...store.getState().devices, ...devices };
      write(storage, DEVICES_KEY, next);
      set({ devices: next });
      const current = line.current;
      if (current.kind === 'sip') await (current as SipLine).setDevices(devices);
    },
    setDefaults(defaults) {
      set({ defaults });
      updateIceServers();
    },
    stop() {
      stopped = true;
      stopRegistration();
      stopTurn();
    },
  };

  // Back on the SIP line after a reload, as the agent left it.
  if (savedAccount) void manager.connect(savedAccount);
  return manager;
}
