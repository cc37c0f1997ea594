/**
 * Helpers for the server tests: a server in-process or as a child process (its real SQLite file in
 * a temp dir), a Front stand-in, a teammate client. All traffic stays on 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, startServer, type RunningServer } from '../../server';
import { frontCallId } from '../../server/calls/ownership';
import { signBody as sign } from '../../server/http/signature';
import { silentLogger } from '../../server/log';
import { startStandin, type Standin } from '../../server/standin/standin';

export const APP_UID = 'app_test_uid';
export const APP_SECRET = 'test-app-secret-4f9a8b7c6d5e';
export const ADMIN_TOKEN = 'test-admin-token-1a2b3c4d5e6f';
export const PBX_SECRET = 'test-pbx-secret-9z8y7x6w5v';
export const CHANNEL_ID = 'cha_test';

/** The Front id of a call a teammate's plugin reported as `callId` (ids are namespaced per teammate). */
export const frontIdOf = (email: string, callId: string): string => frontCallId(email, callId);

const ROOT = resolve(import.meta.dirname, '../..');

export function tempDir(prefix = 'front-calls-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Environment for a server talking to `standinUrl`, with short backoffs for tests. */
export function serverEnv(dir: string, standinUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    FRONT_APP_UID: APP_UID,
    FRONT_APP_SECRET: APP_SECRET,
    FRONT_API_BASE_URL: standinUrl,
    ADMIN_TOKEN,
    PBX_WEBHOOK_SECRET: PBX_SECRET,
    DATABASE_PATH: join(dir, 'calls.sqlite'),
    LISTEN_HOST: '127.0.0.1',
    PORT: '0',
    OUTBOX_BACKOFF_BASE_MS: '20',
    OUTBOX_BACKOFF_MAX_MS: '300',
    FRONT_REQUEST_TIMEOUT_MS: '1000',
    OUTBOX_MAX_RETRY_AFTER_MS: '1000',
    // No pacing unless a test is about it: the stand-in has no budget by default.
    FRONT_RATE_LIMIT_PER_MINUTE: '1000000',
    FRONT_BURST_PER_SECOND: '100000',
    RECORDING_URL_PREFIXES: `${standinUrl}/_standin/recordings/`,
    CORS_ORIGINS: 'http://127.0.0.1:5173',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

export async function startInProcess(dir: string, standinUrl: string, extra: Record<string, string> = {}): Promise<RunningServer> {
  return startServer(loadConfig(serverEnv(dir, standinUrl, extra)), { logger: silentLogger });
}

export async function startTestStandin(): Promise<Standin> {
  return startStandin({ appUid: APP_UID, appSecret: APP_SECRET, maxHangMs: 10_000 });
}

export interface ChildServer {
  url: string;
  process: ChildProcess;
  output(): string;
  /** SIGKILL, and wait for the process to be gone. */
  kill(): Promise<void>;
  /** SIGTERM, and wait for a clean exit. */
  stop(): Promise<number | null>;
}

/** The real CLI as a child process (`node --import tsx server/cli.ts`); resolves once it listens. */
export function spawnServer(env: Record<string, string>): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts'], {
    cwd: ROOT,
    // At least info: the test reads "server listening" (and recovery counts) from the logs.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, LOG_LEVEL: env.LOG_LEVEL === 'silent' ? 'info' : (env.LOG_LEVEL ?? 'info') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 20_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.length > 2_000_000) out = out.slice(-1_000_000);
      const match = /"msg":"server listening","url":"([^"]+)"/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolveStart({
          url: match[1]!,
          process: child,
          output: () => out,
          async kill() {
            child.kill('SIGKILL');
            await exited;
          },
          async stop() {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${out}`));
    });
  });
}

export interface JsonResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function request<T = any>(url: string, init: RequestInit & { json?: unknown; token?: string } = {}): Promise<JsonResponse<T>> {
  const headers = new Headers(init.headers);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  const response = await fetch(url, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // keep text
  }
  return { status: response.status, body: body as T, headers: response.headers };
}

export async function createTeammate(serverUrl: string, email: string, extension?: string): Promise<string> {
  const res = await request(`${serverUrl}/admin/tokens`, { method: 'POST', token: ADMIN_TOKEN, json: { email, ...(extension ? { extension } : {}) } });
  if (res.status !== 201) throw new Error(`token refused: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}

export async function outboxState(serverUrl: string): Promise<{ pending: number; inflight: number; sent: number; dead: number }> {
  return (await request(`${serverUrl}/admin/outbox`, { token: ADMIN_TOKEN })).body;
}

export async function waitFor<T>(probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits until the outbox has nothing pending or in flight. */
export function drained(serverUrl: string, timeoutMs = 20_000) {
  return waitFor(
    async () => {
      const s = await outboxState(serverUrl);
      return s.pending === 0 && s.inflight === 0 ? s : null;
    },
    timeoutMs,
    'the outbox to drain',
  );
}

export function signedPbxHeaders(raw: string, secret = PBX_SECRET, timestamp = Date.now()): Record<string, string> {
  return { 'content-type': 'application/json', 'x-pbx-timestamp': String(timestamp), 'x-pbx-signature': sign(secret, String(timestamp), raw) };
}

/** A plugin's report of one call event. */
export function event(seq: number, type: string, detail: Record<string, unknown>, at = Date.now()) {
  return { seq, at, type, detail };
}
