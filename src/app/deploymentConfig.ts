import * as v from 'valibot';
import { DEFAULT_REGION, type DialRules, type ExtensionRule } from '../phone';

/**
 * Deployment-wide defaults, from `softphone.config.json` served beside the plugin (public/). It is
 * public by nature (any browser can fetch it): it MUST NOT hold secrets — no SIP password, no
 * tokens, no Front app secret. Each teammate's own settings override these defaults.
 */
export interface DeploymentConfig {
  /** Region for numbers written without +country code, e.g. "US", "GB". */
  readonly defaultRegion: string;
  /**
   * SIP over WebSocket defaults for the settings screen (the account itself is per teammate), and
   * the STUN / TURN servers every call uses, passed to RTCPeerConnection exactly as written (a
   * static TURN username / credential here is readable by anyone: prefer the call-logging server's
   * short-lived credentials, see README "ICE servers").
   */
  readonly sip: { readonly websocketUrl?: string; readonly domain?: string; readonly iceServers?: readonly RTCIceServer[] };
  /** The call-logging server beside the plugin. */
  readonly server: { readonly url?: string };
  /**
   * Internal extensions dialled as typed: digits only, `minDigits` to `maxDigits` long (for example
   * 2 to 6). Off (null) by default: every number is then read as a phone number in `defaultRegion`.
   */
  readonly extensions: ExtensionRule | null;
  /**
   * Whether the built-in simulated line is offered. Default true (the plugin then works anywhere
   * with no phone system); a production deployment sets false, and neither the simulated network
   * nor its panel is ever loaded: the plugin waits for a SIP account.
   */
  readonly simulatedLine: boolean;
  /**
   * A demo deployment (the local Front workspace): only then are calls on the simulated line
   * logged to a Front channel. Default false: test calls never reach real conversations.
   */
  readonly demo: boolean;
  /**
   * Who can be reached by transfer: a Front teammate's email and their number or extension. Keyed
   * by email (not Front's teammate id): an admin knows the emails, and they stay the same across
   * Front workspaces. Teammates not listed are not offered. Public like the rest of the file.
   */
  readonly directory: readonly DirectoryEntry[];
}

export interface DirectoryEntry {
  readonly email: string;
  /** As a typed number: read by the one number reader (src/phone) with the deployment's dial rules when used. */
  readonly number: string;
}


export const DEFAULT_CONFIG: DeploymentConfig = { defaultRegion: DEFAULT_REGION, sip: {}, server: {}, extensions: null, simulatedLine: true, demo: false, directory: [] };

/** The dial rules of a deployment (see src/phone). */
export function dialRules(config: DeploymentConfig): DialRules {
  return { region: config.defaultRegion, extensions: config.extensions };
}

/** Longest extension a rule may allow: beyond it, digits are a phone number's. */
export const MAX_EXTENSION_RULE_DIGITS = 8;

/** Directory entries at most: a runaway guard, far above a support team. */
const MAX_DIRECTORY = 2000;

const ICE_URL = v.pipe(v.string(), v.regex(/^(stuns?|turns?):[^\s,]+$/, 'must be a stun:, stuns:, turn: or turns: URL'), v.maxLength(500));

/** One RTCIceServer; a TURN server needs its username and credential (browsers refuse it without). */
const IceServerSchema = v.pipe(
  v.strictObject({
    urls: v.union([ICE_URL, v.pipe(v.array(ICE_URL), v.minLength(1), v.maxLength(10))]),
    username: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(512))),
    credential: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(512))),
  }),
  v.check(
    (server) => ![server.urls].flat().some((url) => url.startsWith('turn')) || (server.username !== undefined && server.credential !== undefined),
    'a TURN server needs a username and a credential',
  ),
);

const ConfigSchema = v.object({
  defaultRegion: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z]{2}$/))),
  sip: v.optional(
    v.object({
      websocketUrl: v.optional(v.pipe(v.string(), v.regex(/^wss?:\/\/[^\s]+$/), v.maxLength(500))),
      domain: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9.-]{1,253}$/))),
      iceServers: v.optional(v.pipe(v.array(IceServerSchema), v.maxLength(10))),
    }),
  ),
  server: v.optional(v.object({ url: v.optional(v.pipe(v.string(), v.regex(/^https?:\/\/[^\s]+$/), v.maxLength(500))) })),
  extensions: v.optional(
    v.pipe(
      v.object({
        minDigits: v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(MAX_EXTENSION_RULE_DIGITS)),
        maxDigits: v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(MAX_EXTENSION_RULE_DIGITS)),
      }),
      v.check((rule) => rule.minDigits <= rule.maxDigits, 'minDigits must not be more than maxDigits'),
    ),
  ),
  simulatedLine: v.optional(v.boolean()),
  demo: v.optional(v.boolean()),
  // The same shape the transfer field accepts (src/machine/dialInput.ts reads it again when used).
  directory: v.optional(
    v.pipe(
      v.array(
        v.strictObject({
          email: v.pipe(v.string(), v.regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address'), v.maxLength(254)),
          number: v.pipe(v.string(), v.regex(/^\+?[0-9\s().-]{3,40}$/, 'must be a phone number or extension')),
        }),
      ),
      v.maxLength(MAX_DIRECTORY),
    ),
  ),
});

export type ConfigResult = { config: DeploymentConfig; problem: string | null };

/** Reads the deployment config; a missing file means defaults, a malformed one is reported and ignored. */
export async function loadDeploymentConfig(
  fetcher: (url: string) => Promise<Pick<Response, 'ok' | 'status' | 'json'>> = (url) => fetch(url, { cache: 'no-cache' }),
  url = './softphone.config.json',
): Promise<ConfigResult> {
  let raw: unknown;
  try {
    const response = await fetcher(url);
    if (response.status === 404) return { config: DEFAULT_CONFIG, problem: null };
    if (!response.ok) return { config: DEFAULT_CONFIG, problem: `softphone.config.json could not be read (HTTP ${response.status}).` };
    raw = await response.json();
  } catch (error) {
    return { config: DEFAULT_CONFIG, problem: `softphone.config.json could not be read: ${error instanceof Error ? error.message : String(error)}` };
  }
  const parsed = v.safeParse(ConfigSchema, raw);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = issue?.path?.map((p) => String(p.key)).join('.') ?? '';
    return { config: DEFAULT_CONFIG, problem: `softphone.config.json is invalid${path ? ` at ${path}` : ''}: ${issue?.message ?? 'unknown problem'}` };
  }
  const { defaultRegion, sip, server, extensions, simulatedLine, demo, directory } = parsed.output;
  return {
    config: {
      defaultRegion: (defaultRegion ?? DEFAULT_REGION).toUpperCase(),
      sip: {
        ...(sip?.websocketUrl ? { websocketUrl: sip.websocketUrl } : {}),
        ...(sip?.domain ? { domain: sip.domain } : {}),
        ...(sip?.iceServers?.length ? { iceServers: sip.iceServers } : {}),
      },
      server: server?.url ? { url: server.url } : {},
      extensions: extensions ? { minDigits: extensions.minDigits, maxDigits: extensions.maxDigits } : null,
      simulatedLine: simulatedLine ?? true,
      demo: demo ?? false,
      directory: directory ?? [],
    },
    problem: null,
  };
}
