/**
 * The SIP line's registration state as an observable store, apart from any call: the UI shows it
 * at all times ("Registered" / "Registering..." / "Offline - retrying") with its plain reason.
 */
import { createStore } from '../../store';

export interface RegistrationState {
  /**
   * `refused`: the phone server refused the password; the line does not try again until the
   * account is connected again (Connect) or {@link SipLine.register} is called.
   */
  readonly status: 'registering' | 'registered' | 'offline' | 'refused';
  /** In plain words, why incoming calls cannot arrive (absent when registered). */
  readonly reason?: string;
}

export interface Registration {
  getState(): RegistrationState;
  /** Calls `listener` with each new state; returns the function that stops it. */
  subscribe(listener: (state: RegistrationState) => void): () => void;
}

/** The reasons the line gives, in one place (the UI may show them verbatim). */
export const REGISTRATION_REASONS = {
  connecting: 'Connecting to the phone server...',
  registering: 'Signing in to the phone server...',
  disconnected: 'The connection to the phone server was lost; incoming calls cannot arrive until it is back. Retrying...',
  unreachable: 'The phone server cannot be reached; incoming calls cannot arrive. Retrying...',
  refusedPassword: 'The phone server refused the password',
  refused: (code: number | null) =>
    `The phone server refused the sign-in${code === null ? '' : ` (SIP ${code})`}; incoming calls cannot arrive. Retrying...`,
  unavailable: (code: number) => `The phone server is unavailable (SIP ${code}); incoming calls cannot arrive. Retrying...`,
  signedOut: 'Signed out of the phone server: incoming calls cannot arrive.',
  closed: 'The SIP line was closed.',
} as const;

export function createRegistrationStore(initial: RegistrationState): Registration & { set(state: RegistrationState): void } {
  // A listener that throws does not stop the others: the store reports it like an uncaught error.
  const store = createStore(initial);
  return {
    getState: store.getState,
    subscribe: store.subscribe,
    set(next) {
      const state = store.getState();
      if (next.status === state.status && next.reason === state.reason) return;
      store.setState(next);
    },
  };
}
