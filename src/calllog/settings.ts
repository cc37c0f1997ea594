import { createStore } from '../store';
import type { CallLogSettingsState, CallLogSettingsStore, SaveCallLogResult } from './view';

/** Where reports go and the teammate's token (a secret: never in a URL, a log or a message). */
export interface CallLogSettings {
  readonly url: string;
  readonly token: string;
}

/** Where the settings are kept; another tab's change arrives as a `storage` event with this key. */
export const CALL_LOG_SETTINGS_KEY = 'softphone.callLog';
const KEY = CALL_LOG_SETTINGS_KEY;
const TOKEN = /^[\x21-\x7E]{1,512}$/;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Checks a server URL: https, or http on this machine only (the local demo). Returns the URL to
 * store (no trailing slash) or an error in words.
 */
export function checkServerUrl(input: string): { ok: true; url: string } | { ok: false; error: string } {
  const text = input.trim();
  if (!text) return { ok: false, error: 'Enter the call log server URL.' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, error: 'Enter a full URL, like https://calls.example.com.' };
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname))) {
    return { ok: false, error: 'Use an https:// URL (http:// only for localhost or 127.0.0.1).' };
  }
  if (url.username || url.password) return { ok: false, error: 'The URL must not contain a user name or password: put the token in the Token field.' };
  if (url.search || url.hash) return { ok: false, error: 'The URL must not have a query (?) or a fragment (#).' };
  if (text.length > 500) return { ok: false, error: 'The URL is too long (500 characters at most).' };
  return { ok: true, url: url.href.replace(/\/+$/, '') };
}

export interface CallLogSettingsOptions {
  readonly storage?: Pick<Storage, 'getItem' | 'setItem'> | undefined;
  /** Defaults until the teammate saves their own (deployment config; dev builds: VITE_CALL_LOG_*). */
  readonly defaults?: { readonly url?: string | undefined; readonly token?: string | undefined };
}

export interface CallLogSettingsController extends CallLogSettingsStore {
  /** What the reporter uses: null until both a URL and a token are known. */
  current(): CallLogSettings | null;
  /** Reads the saved settings again (another tab saved them). */
  reload(): void;
  /** The deployment config's server URL, known after start-up; the teammate's own URL wins. */
  setDefaultUrl(url: string | undefined): void;
}

function read(storage: CallLogSettingsOptions['storage']): { url?: string; token?: string } {
  try {
    const raw = storage?.getItem(KEY);
    if (!raw) return {};
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { url, token } = parsed as Record<string, unknown>;
    return {
      ...(typeof url === 'string' && checkServerUrl(url).ok ? { url } : {}),
      ...(typeof token === 'string' && TOKEN.test(token) ? { token } : {}),
    };
  } catch {
    return {};
  }
}

/** The call-log settings, kept in the browser's storage (like the SIP account, token included). */
export function createCallLogSettings({ storage, defaults = {} }: CallLogSettingsOptions = {}): CallLogSettingsController {
  let saved = read(storage);
  let defaultUrl = defaults.url && checkServerUrl(defaults.url).ok ? checkServerUrl(defaults.url) : null;
  const defaultToken = defaults.token && TOKEN.test(defaults.token) ? defaults.token : undefined;
  const compute = (): CallLogSettingsState => {
    const url = saved.url ?? (defaultUrl?.ok ? defaultUrl.url : '');
    const hasToken = Boolean(saved.token ?? defaultToken);
    return { url, hasToken, configured: Boolean(url) && hasToken };
  };
  const store = createStore(compute());
  // A fresh state each time, even when equal: saving the same settings again still retries now.
  const changed = () => store.setState(compute());

  return {
    getState: store.getState,
    subscribe: store.subscribe,
    current() {
      const { url } = store.getState();
      const token = saved.token ?? defaultToken;
      return url && token ? { url, token } : null;
    },
    reload() {
      saved = read(storage);
      changed();
    },
    setDefaultUrl(url) {
      defaultUrl = url ? checkServerUrl(url) : null;
      changed();
    },
    save(input): SaveCallLogResult {
      const url = checkServerUrl(input.url);
      if (!url.ok) return { ok: false, field: 'url', error: url.error };
      const token = input.token.trim();
      if (token && !TOKEN.test(token)) return { ok: false, field: 'token', error: 'The token must be one word (no spaces), 512 characters at most.' };
      if (!token && !saved.token && !defaultToken) return { ok: false, field: 'token', error: 'Enter the token your admin gave you.' };
      const next = { url: url.url, ...(token ? { token } : saved.token ? { token: saved.token } : {}) };
      try {
        storage?.setItem(KEY, JSON.stringify(next));
      } catch {
        // Blocked storage: the settings still apply until the plugin reloads.
      }
      saved = next;
      changed();
      return { ok: true };
    },
  };
}
