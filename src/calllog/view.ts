/**
 * What the UI sees of call logging, and the relay that stands in for it until the reporter (a lazy
 * chunk) has loaded. Small on purpose: it is part of the initial bundle.
 */
import { createStore, type ReadableStore } from '../store';

/** Why reports of a call are still waiting. */
export type CallLogWait =
  | 'sending' // in flight or about to be
  | 'unreachable' // network error: the server could not be reached
  | 'server_error' // 5xx
  | 'rate_limited' // 429
  | 'token_refused' // 401: paused until the settings change
  | 'not_configured'; // no server URL / token any more

/**
 * Where a call stands with the call-logging server.
 * - `logged`: every report of the call so far was accepted (202, or 200 duplicate); the server
 *   then delivers it to Front exactly once.
 * - `pending`: reports are stored in the browser and being sent or retried.
 * - `failed`: the server refused a report (4xx other than 401); kept in the failed list.
 * - `skipped`: the call is not one the server logs (an internal number, not E.164).
 */
export type CallLogStatus =
  | { readonly kind: 'pending'; readonly wait: CallLogWait }
  | { readonly kind: 'logged' }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'skipped'; readonly reason: string };

/** Where calls stand with the call log; the reporter (./index.ts) is one. */
export interface CallLogStatusSource {
  /** Null when the call is unknown (no call log configured when it started, or long gone). */
  status(callId: string): CallLogStatus | null;
  /** Hears that some call's status may have changed; returns the function that stops it. */
  subscribe(listener: () => void): () => void;
}

/** The call-log settings as the settings form sees them: never the token itself. */
export interface CallLogSettingsState {
  readonly url: string;
  readonly hasToken: boolean;
  /** Both a URL and a token are set: calls are reported. */
  readonly configured: boolean;
}

export type SaveCallLogResult = { ok: true } | { ok: false; field: 'url' | 'token'; error: string };

export interface CallLogSettingsStore extends ReadableStore<CallLogSettingsState> {
  /**
   * Validates and saves. An empty token keeps the saved one. On error nothing changes and the
   * error names the field, never its value.
   */
  save(input: { url: string; token: string }): SaveCallLogResult;
}

/** The UI's view of call logging; empty until the call log has loaded. */
export interface CallLogViewState {
  /** The settings; null until loaded. */
  readonly settings: CallLogSettingsStore | null;
  /**
   * Where a call stands; null when unknown or not loaded. A new function each time a status may
   * have changed, so the state changes with it and readers re-read.
   */
  readonly status: (callId: string) => CallLogStatus | null;
}

/** The UI's handle on call logging. */
export type CallLogView = ReadableStore<CallLogViewState>;

export interface CallLogRelay extends CallLogView {
  /** Plugs in the loaded settings and reporter; listeners are told. */
  attach(parts: { settings: CallLogSettingsStore; reporter: CallLogStatusSource }): void;
}

const NOT_LOADED: CallLogViewState = { settings: null, status: () => null };

/** A view that says nothing until `attach` gives it the real settings and reporter. */
export function createCallLogRelay(): CallLogRelay {
  const store = createStore(NOT_LOADED);
  const unsubscribes: (() => void)[] = [];
  return {
    getState: store.getState,
    subscribe: store.subscribe,
    attach({ settings, reporter }) {
      for (const stop of unsubscribes.splice(0)) stop();
      const read = () => store.setState({ settings, status: (callId) => reporter.status(callId) });
      // The settings too: whether a call can be logged depends on them.
      unsubscribes.push(reporter.subscribe(read), settings.subscribe(read));
      read();
    },
  };
}
