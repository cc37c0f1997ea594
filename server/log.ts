/**
 * Structured logs: one JSON object a line on stdout (errors on stderr).
 *
 * Fields whose name looks like a secret (secret, token, authorization, signature, password, jwt)
 * are replaced by "[redacted]" at any depth, and the configured secret values are masked in every
 * string, so a secret cannot reach the logs through a message or an error either.
 */
import type { LogLevel } from './config';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
const SECRET_KEY = /secret|token|authori[sz]ation|signature|password|jwt|cookie/i;
const MIN_MASKED_LENGTH = 6;

export interface LoggerOptions {
  level: LogLevel;
  /** Values that must never appear in a log line (the app secret, the admin token...). */
  secrets?: Array<string | null | undefined>;
  write?: (line: string, level: Exclude<LogLevel, 'silent'>) => void;
}

export function createLogger({ level, secrets = [], write }: LoggerOptions): Logger {
  const threshold = LEVELS[level];
  const masked = secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_MASKED_LENGTH);
  const out =
    write ??
    ((line: string, lvl: Exclude<LogLevel, 'silent'>) => (lvl === 'error' || lvl === 'warn' ? process.stderr : process.stdout).write(`${line}\n`));

  const maskString = (value: string): string => masked.reduce((acc, secret) => acc.split(secret).join('[redacted]'), value);

  const clean = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return maskString(value);
    if (value instanceof Error) return { name: value.name, message: maskString(value.message) };
    if (depth > 4 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.slice(0, 50).map((v) => clean(v, depth + 1));
    const result: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) result[key] = SECRET_KEY.test(key) ? '[redacted]' : clean(v, depth + 1);
    return result;
  };

  const log = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lvl] < threshold) return;
    const entry = { t: new Date().toISOString(), level: lvl, msg: maskString(msg), ...(fields ? (clean(fields, 0) as object) : {}) };
    out(JSON.stringify(entry), lvl);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
