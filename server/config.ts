/**
 * The server's configuration, read from environment variables by {@link loadConfig}.
 *
 * Errors name the variable and what is wrong with it, never its value: several of them are secrets.
 */
import { resolve } from 'node:path';
import { DEFAULT_MAX_RETRY_AFTER_MS, isE164 } from '../contract';
import type { Synchronous } from './db/database';
import { TURN_URL, type TurnSettings } from './turn/credentials';

export interface ServerConfig {
  /** The Front app's uid: the `iss` of every Channel API token. */
  frontAppUid: string;
  /** The Front app's secret: signs Channel API tokens and verifies Front's requests. Never logged. */
  frontAppSecret: string;
  /** Front's API, without a trailing slash. */
  frontApiBaseUrl: string;
  databasePath: string;
  /** PostgreSQL (several instances on one database) when set; SQLite at databasePath otherwise. Never logged. */
  databaseUrl: string | null;
  databaseSynchronous: Synchronous;
  listenHost: string;
  /** 0 picks a free port (tests); the CLI logs the URL it listens on. */
  port: number;
  /** Where Front reaches this server (the webhook URL answered on authorization). */
  publicUrl: string | null;
  /** Shared secret of the PBX webhook; the PBX endpoint answers 404 without it. Never logged. */
  pbxWebhookSecret: string | null;
  /** Front Core API token for contact names (GET /v1/contacts/lookup); null: names are not looked up. Never logged. */
  frontApiToken: string | null;
  /** How long a looked-up name (or "no contact") is kept per number (ms). */
  contactsCacheTtlMs: number;
  /** Short-lived TURN credentials for teammates (GET /v1/turn-credentials); null: not offered. */
  turn: TurnSettings | null;
  /** Bearer token of the admin endpoints. Never logged. */
  adminToken: string;
  /** Origins allowed to call the plugin API from a browser (the plugin's origin). */
  corsOrigins: string[];
  /** URL prefixes recordings may be fetched from (the server downloads them: no open list). */
  recordingUrlPrefixes: string[];
  /** A channel to use before (or instead of) Front's authorization request. */
  frontChannelId: string | null;
  /** Addresses answered to Front's `list_addresses`. */
  channelAddresses: Array<{ address: string; name?: string }>;
  outbox: OutboxTuning;
  /** PBX events match a call started within this window (ms). */
  pbxMatchWindowMs: number;
  /** Front's requests older or newer than this are refused (ms). */
  signatureMaxAgeMs: number;
  /** Failed authentications from one address before it is refused for the rest of the window. */
  authFailureLimit: number;
  authFailureWindowMs: number;
  /** Fastify's trustProxy: false (the socket's address is the client), true, a hop count, or proxy addresses. */
  trustProxy: boolean | number | string;
  logLevel: LogLevel;
}

export interface OutboxTuning {
  /** Front requests in flight at once (each call's requests stay strictly in order). */
  concurrency: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A request unanswered after this is abandoned and retried (ms). */
  requestTimeoutMs: number;
  /** Transient failures are retried until a request is this old; then it is a dead letter (ms). */
  giveUpAfterMs: number;
  /** Longest Retry-After honoured (ms). */
  maxRetryAfterMs: number;
  /** Largest recording downloaded and uploaded (bytes). */
  maxRecordingBytes: number;
  /** Front's budget before an answer says it (requests per window: Front's smallest plan, 50). */
  ratePerMinute: number;
  /** Requests per resource (the channel) per second: Front's burst limit. */
  burstPerSecond: number;
  /** Front's rate window (a minute; tests and the bench compress it, the burst window with it). */
  rateWindowMs: number;
  /** How long an instance's claim on a call lasts without renewal (another takes over after). */
  leaseMs: number;
  /** How often an instance on a shared database looks for calls to send (ms). */
  pollMs: number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid server configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export const DEFAULTS = {
  frontApiBaseUrl: 'https://api2.frontapp.com',
  databasePath: 'server/.data/front-calls.sqlite',
  listenHost: '127.0.0.1',
  port: 8787,
  concurrency: 16,
  backoffBaseMs: 1_000,
  backoffMaxMs: 5 * 60_000,
  requestTimeoutMs: 10_000,
  giveUpAfterMs: 7 * 24 * 3_600_000,
  maxRetryAfterMs: DEFAULT_MAX_RETRY_AFTER_MS,
  maxRecordingBytes: 50 * 1024 * 1024,
  ratePerMinute: 50,
  burstPerSecond: 5,
  rateWindowMs: 60_000,
  leaseMs: 30_000,
  pollMs: 1_000,
  pbxMatchWindowMs: 120_000,
  signatureMaxAgeMs: 5 * 60_000,
  turnTtlSeconds: 86_400,
  contactsCacheTtlMs: 5 * 60_000,
  authFailureLimit: 20,
  authFailureWindowMs: 60_000,
} as const;

const MIN_SECRET_LENGTH = 16;

type Env = Record<string, string | undefined>;

/** Reads the configuration from `env`; throws one {@link ConfigError} listing every problem. */
export function loadConfig(env: Env = process.env): ServerConfig {
  const problems: string[] = [];
  const text = (name: string): string | null => {
    const value = env[name]?.trim();
    return value ? value : null;
  };
  const required = (name: string, what: string): string => {
    const value = text(name);
    if (value === null) problems.push(`${name} is missing: ${what}.`);
    return value ?? '';
  };
  const secret = (name: string, what: string, optional = false): string | null => {
    const value = text(name);
    if (value === null) {
      if (!optional) problems.push(`${name} is missing: ${what}.`);
      return null;
    }
    if (value.length < MIN_SECRET_LENGTH) problems.push(`${name} is too short: use at least ${MIN_SECRET_LENGTH} characters.`);
    return value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const value = text(name);
    if (value === null) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}.`);
      return fallback;
    }
    return n;
  };
  const url = (name: string, fallback: string | null): string | null => {
    const value = text(name) ?? fallback;
    if (value === null) return null;
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('protocol');
      return value.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} must be an http(s) URL.`);
      return fallback;
    }
  };
  const databaseUrl = (): string | null => {
    const value = text('DATABASE_URL');
    if (value === null) return null;
    if (!/^postgres(ql)?:\/\//.test(value)) problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL.');
    return value;
  };
  const list = (name: string): string[] =>
    (text(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);

  const frontAppUid = required('FRONT_APP_UID', "the uid of the Front app that owns the channel (Front > Settings > Developers > the app's Settings tab)");
  const frontAppSecret = secret('FRONT_APP_SECRET', "the Front app's secret, which signs Channel API tokens and Front's requests") ?? '';
  const adminToken = secret('ADMIN_TOKEN', 'the bearer token of the admin endpoints (teammate tokens, dead letters)') ?? '';
  const pbxWebhookSecret = secret('PBX_WEBHOOK_SECRET', '', true);

  // TURN: all of TURN_SECRET and TURN_URLS, or neither.
  const turnSecret = secret('TURN_SECRET', '', true);
  const turnUrls = list('TURN_URLS');
  for (const entry of turnUrls) if (!TURN_URL.test(entry)) problems.push(`TURN_URLS: "${entry}" is not a turn:, turns: or stun: URL.`);
  if ((turnSecret === null) !== (turnUrls.length === 0)) problems.push('TURN_SECRET and TURN_URLS go together: set both (TURN credentials for teammates) or neither.');
  const frontApiToken = secret('FRONT_API_TOKEN', '', true);
  const turnTtlSeconds = integer('TURN_TTL_SECONDS', DEFAULTS.turnTtlSeconds, 5, 7 * 86_400);

  const synchronous = (text('DATABASE_SYNCHRONOUS') ?? 'normal').toLowerCase();
  if (synchronous !== 'normal' && synchronous !== 'full') problems.push('DATABASE_SYNCHRONOUS must be "normal" or "full".');

  const logLevel = (text('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) {
    problems.push('LOG_LEVEL must be one of debug, info, warn, error, silent.');
  }

  const corsOrigins = list('CORS_ORIGINS');
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) problems.push(`CORS_ORIGINS: "${origin}" is not an origin (scheme://host[:port], no path).`);
  }
  const recordingUrlPrefixes = list('RECORDING_URL_PREFIXES');
  for (const prefix of recordingUrlPrefixes) {
    if (!/^https?:\/\/[^/\s]+\//.test(prefix)) {
      problems.push(`RECORDING_URL_PREFIXES: "${prefix}" must be an http(s) URL prefix ending in a path, e.g. https://recordings.example.com/.`);
    }
  }

  const channelAddresses = list('CHANNEL_ADDRESSES').map((entry) => {
    const [address = '', name] = entry.split('=').map((part) => part.trim());
    if (!isE164(address)) problems.push(`CHANNEL_ADDRESSES: "${address}" is not an E.164 number.`);
    return name ? { address, name } : { address };
  });

  const config: ServerConfig = {
    frontAppUid,
    frontAppSecret,
    frontApiBaseUrl: url('FRONT_API_BASE_URL', DEFAULTS.frontApiBaseUrl) ?? DEFAULTS.frontApiBaseUrl,
    databasePath: resolve(text('DATABASE_PATH') ?? DEFAULTS.databasePath),
    databaseUrl: databaseUrl(),
    databaseSynchronous: synchronous === 'full' ? 'full' : 'normal',
    listenHost: text('LISTEN_HOST') ?? DEFAULTS.listenHost,
    port: integer('PORT', DEFAULTS.port, 0, 65_535),
    publicUrl: url('PUBLIC_URL', null),
    pbxWebhookSecret,
    frontApiToken,
    contactsCacheTtlMs: integer('CONTACTS_CACHE_TTL_MS', DEFAULTS.contactsCacheTtlMs, 1_000, 24 * 3_600_000),
    turn: turnSecret !== null && turnUrls.length > 0 ? { secret: turnSecret, urls: turnUrls, ttlSeconds: turnTtlSeconds } : null,
    adminToken,
    corsOrigins,
    recordingUrlPrefixes,
    frontChannelId: text('FRONT_CHANNEL_ID'),
    channelAddresses,
    outbox: {
      concurrency: integer('OUTBOX_CONCURRENCY', DEFAULTS.concurrency, 1, 256),
      backoffBaseMs: integer('OUTBOX_BACKOFF_BASE_MS', DEFAULTS.backoffBaseMs, 1, 3_600_000),
      backoffMaxMs: integer('OUTBOX_BACKOFF_MAX_MS', DEFAULTS.backoffMaxMs, 1, 24 * 3_600_000),
      requestTimeoutMs: integer('FRONT_REQUEST_TIMEOUT_MS', DEFAULTS.requestTimeoutMs, 50, 600_000),
      giveUpAfterMs: integer('OUTBOX_GIVE_UP_AFTER_MS', DEFAULTS.giveUpAfterMs, 1_000, 365 * 24 * 3_600_000),
      maxRetryAfterMs: integer('OUTBOX_MAX_RETRY_AFTER_MS', DEFAULTS.maxRetryAfterMs, 0, 24 * 3_600_000),
      maxRecordingBytes: integer('MAX_RECORDING_BYTES', DEFAULTS.maxRecordingBytes, 1_024, 1024 * 1024 * 1024),
      ratePerMinute: integer('FRONT_RATE_LIMIT_PER_MINUTE', DEFAULTS.ratePerMinute, 1, 1_000_000),
      burstPerSecond: integer('FRONT_BURST_PER_SECOND', DEFAULTS.burstPerSecond, 1, 100_000),
      rateWindowMs: integer('FRONT_RATE_WINDOW_MS', DEFAULTS.rateWindowMs, 600, 3_600_000),
      leaseMs: integer('OUTBOX_LEASE_MS', DEFAULTS.leaseMs, 500, 3_600_000),
      pollMs: integer('OUTBOX_POLL_MS', DEFAULTS.pollMs, 20, 600_000),
    },
    pbxMatchWindowMs: integer('PBX_MATCH_WINDOW_MS', DEFAULTS.pbxMatchWindowMs, 1_000, 24 * 3_600_000),
    signatureMaxAgeMs: integer('FRONT_SIGNATURE_MAX_AGE_MS', DEFAULTS.signatureMaxAgeMs, 1_000, 3_600_000),
    authFailureLimit: integer('AUTH_FAILURE_LIMIT', DEFAULTS.authFailureLimit, 1, 100_000),
    authFailureWindowMs: integer('AUTH_FAILURE_WINDOW_MS', DEFAULTS.authFailureWindowMs, 1_000, 24 * 3_600_000),
    trustProxy: trustProxyOf(env.TRUST_PROXY),
    logLevel: logLevel as LogLevel,
  };
  if (config.outbox.backoffMaxMs < config.outbox.backoffBaseMs) {
    problems.push('OUTBOX_BACKOFF_MAX_MS must not be smaller than OUTBOX_BACKOFF_BASE_MS.');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** TRUST_PROXY: unset or `false`, `true`, a hop count, or comma-separated proxy addresses. */
function trustProxyOf(value: string | undefined): boolean | number | string {
  const v = (value ?? '').trim();
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d{1,2}$/.test(v)) return Number(v);
  return v;
}

/** The configuration with its secrets replaced, for logs and diagnostics. */
export function describeConfig(config: ServerConfig): Record<string, unknown> {
  return {
    ...config,
    frontAppSecret: '[redacted]',
    adminToken: '[redacted]',
    pbxWebhookSecret: config.pbxWebhookSecret ? '[redacted]' : null,
    turn: config.turn ? { ...config.turn, secret: '[redacted]' } : null,
    frontApiToken: config.frontApiToken ? '[redacted]' : null,
    // It may hold a password.
    databaseUrl: config.databaseUrl ? '[redacted]' : null,
  };
}
