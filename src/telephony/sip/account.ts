/**
 * The agent's SIP account and its validation. Pure: no SIP library, no browser API, so the settings
 * screen can validate as the agent types without loading the SIP line.
 */

/** What the agent enters to connect the SIP line. */
export interface SipAccount {
  /** The SIP server's WebSocket endpoint: `wss://` (or `ws://` on a loopback host, for development). */
  readonly websocketUrl: string;
  /** The agent's address of record, e.g. `sip:1001@pbx.example.com`; its user part is the agent's number. */
  readonly sipUri: string;
  /** The user name to authenticate with, when it differs from the SIP URI's user. */
  readonly authorizationUser?: string;
  /** Never put in a URL, a log or a diagnostics message. */
  readonly password: string;
  /** The name callees see. */
  readonly displayName?: string;
  /**
   * The teammate's own STUN servers (stun: / stuns: URLs), used with the deployment's ICE servers
   * and the call-logging server's TURN credentials. TURN needs credentials, so it is not entered
   * here: it comes from the call-logging server or softphone.config.json.
   */
  readonly iceServers?: readonly string[];
}

export type SipAccountField = keyof SipAccount;

export type SipAccountValidation =
  | { ok: true; account: SipAccount }
  | { ok: false; errors: Partial<Record<SipAccountField, string>> };

const MAX_URL = 2000;
const MAX_URI = 256;
const MAX_USER = 128;
const MAX_PASSWORD = 256;
const MAX_DISPLAY_NAME = 100;
const MAX_ICE_SERVERS = 5;
const STUN_URL = /^stuns?:[^\s,]{1,500}$/;
/** A number as the dialer protocol carries it: E.164 or an internal extension. */
const NUMBER = /^\+?[0-9*#]{1,20}$/;
// RFC 3261 user / host characters, without the escapes and parameters the settings never need.
const SIP_URI = /^sips?:([A-Za-z0-9\-_.!~*'()&=+$,;?/%]+)@(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The parts of a SIP URI the line needs. */
export interface SipAddress {
  readonly scheme: 'sip' | 'sips';
  readonly user: string;
  readonly host: string;
  readonly port: number | null;
}

/** Parses `sip:user@host[:port]`; null when it is not one. */
export function parseSipAddress(uri: string): SipAddress | null {
  const match = SIP_URI.exec(uri.trim());
  if (!match) return null;
  const [, user = '', host = '', port] = match;
  const portNumber = port === undefined ? null : Number(port);
  if (portNumber !== null && (portNumber < 1 || portNumber > 65535)) return null;
  return { scheme: uri.trim().startsWith('sips:') ? 'sips' : 'sip', user, host: host.toLowerCase(), port: portNumber };
}

/** Whether the string is a number the dialer protocol accepts. */
export function isPhoneNumber(value: string): boolean {
  return NUMBER.test(value);
}

function checkWebsocketUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return 'Enter the WebSocket URL of your SIP server, for example wss://sip.example.com/ws.';
  if (value.length > MAX_URL) return 'The WebSocket URL is too long.';
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return 'The WebSocket URL is not a valid URL.';
  }
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:') return 'The WebSocket URL must start with wss://.';
  // Credentials never travel in a URL: the password field is the only place for them.
  if (url.username !== '' || url.password !== '') return 'Remove the user name and password from the URL; use the fields below.';
  if (url.protocol === 'ws:' && !LOOPBACK_HOSTS.has(url.hostname)) return 'Use wss:// (an encrypted connection); ws:// is only allowed for a server on this computer.';
  if (url.hash !== '') return 'The WebSocket URL must not have a #fragment.';
  return null;
}

function checkSipUri(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return 'Enter your SIP address, for example sip:1001@pbx.example.com.';
  if (value.length > MAX_URI) return 'The SIP address is too long.';
  const address = parseSipAddress(value);
  if (!address) return 'The SIP address must look like sip:1001@pbx.example.com.';
  if (!isPhoneNumber(address.user)) return 'The SIP user must be your extension or phone number (digits, optionally starting with +).';
  return null;
}

function checkIceServers(value: unknown): string | null {
  if (value === undefined) return null;
  if (!Array.isArray(value) || value.some((url) => typeof url !== 'string')) return 'The ICE servers must be a list of URLs.';
  if (value.length > MAX_ICE_SERVERS) return `Enter at most ${MAX_ICE_SERVERS} ICE servers.`;
  for (const url of value as string[]) {
    if (/^turns?:/i.test(url)) return `${url} is a TURN server: TURN needs credentials, so it comes from the call-logging server or softphone.config.json (ask your admin).`;
    if (!STUN_URL.test(url)) return `${url.slice(0, 60)} is not a STUN URL (stun:host or stun:host:port).`;
  }
  return null;
}

function checkOptionalText(value: unknown, label: string, max: number): string | null {
  if (value === undefined || value === '') return null;
  if (typeof value !== 'string') return `The ${label} must be text.`;
  if (value.length > max) return `The ${label} must be at most ${max} characters.`;
  if (CONTROL.test(value)) return `The ${label} must not contain line breaks or control characters.`;
  return null;
}

/**
 * Checks what the agent entered. Never echoes the password back in a message. Trims the URL, the
 * URI and the optional fields; the password is kept exactly as typed.
 */
export function validateSipAccount(input: unknown): SipAccountValidation {
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const errors: Partial<Record<SipAccountField, string>> = {};
  const trimmed = (key: SipAccountField) => (typeof raw[key] === 'string' ? (raw[key] as string).trim() : raw[key]);

  const websocketUrl = trimmed('websocketUrl');
  const sipUri = trimmed('sipUri');
  const authorizationUser = trimmed('authorizationUser');
  const displayName = trimmed('displayName');
  const password = raw.password;

  const urlError = checkWebsocketUrl(websocketUrl);
  if (urlError) errors.websocketUrl = urlError;
  const uriError = checkSipUri(sipUri);
  if (uriError) errors.sipUri = uriError;
  const userError = checkOptionalText(authorizationUser, 'authorization user', MAX_USER);
  if (userError) errors.authorizationUser = userError;
  else if (typeof authorizationUser === 'string' && /[\s@:]/.test(authorizationUser)) errors.authorizationUser = 'The authorization user must not contain spaces, @ or :.';
  if (typeof password !== 'string' || password === '') errors.password = 'Enter the password of your SIP account.';
  else if (password.length > MAX_PASSWORD) errors.password = `The password must be at most ${MAX_PASSWORD} characters.`;
  else if (CONTROL.test(password)) errors.password = 'The password must not contain line breaks or control characters.';
  const nameError = checkOptionalText(displayName, 'display name', MAX_DISPLAY_NAME);
  if (nameError) errors.displayName = nameError;
  else if (typeof displayName === 'string' && /["\\]/.test(displayName)) errors.displayName = 'The display name must not contain quotes or backslashes.';

  const iceServers = Array.isArray(raw.iceServers) ? raw.iceServers.map((url) => (typeof url === 'string' ? url.trim() : url)).filter((url) => url !== '') : raw.iceServers;
  const iceError = checkIceServers(iceServers);
  if (iceError) errors.iceServers = iceError;

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    account: {
      websocketUrl: websocketUrl as string,
      sipUri: sipUri as string,
      password: password as string,
      ...(typeof authorizationUser === 'string' && authorizationUser !== '' ? { authorizationUser } : {}),
      ...(typeof displayName === 'string' && displayName !== '' ? { displayName } : {}),
      ...(Array.isArray(iceServers) && iceServers.length > 0 ? { iceServers: iceServers as string[] } : {}),
    },
  };
}
