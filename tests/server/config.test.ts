// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import { startServer } from '../../server';
import { ConfigError, DEFAULTS, describeConfig, loadConfig } from '../../server/config';
import { createLogger } from '../../server/log';
import { ADMIN_TOKEN, APP_SECRET, request, serverEnv, tempDir } from './support';

const SECRET = 'very-secret-app-key-123';
const ADMIN = 'very-secret-admin-token-456';
const good = { FRONT_APP_UID: 'app_1', FRONT_APP_SECRET: SECRET, ADMIN_TOKEN: ADMIN };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration from the environment', () => {
  it('uses the documented defaults', () => {
    const config = loadConfig(good);
    expect(config.frontApiBaseUrl).toBe('https://api2.frontapp.com');
    expect(config.listenHost).toBe('127.0.0.1');
    expect(config.port).toBe(DEFAULTS.port);
    expect(config.pbxWebhookSecret).toBeNull();
    expect(config.corsOrigins).toEqual([]);
  });

  it('names every missing variable at once', () => {
    const problems = problemsOf({});
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/FRONT_APP_UID is missing/);
    expect(problems.join('\n')).toMatch(/FRONT_APP_SECRET is missing/);
    expect(problems.join('\n')).toMatch(/ADMIN_TOKEN is missing/);
  });

  // Proved: putting the value into the too-short message in server/config.ts makes this fail (2026-12-02).
  it('explains bad values without repeating secrets', () => {
    const env = { ...good, FRONT_APP_SECRET: 'short', PBX_WEBHOOK_SECRET: 'tiny', PORT: 'eighty', CORS_ORIGINS: 'http://ok.example,not an origin', FRONT_API_BASE_URL: 'ftp://x' };
    let message = '';
    try {
      loadConfig(env);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/FRONT_APP_SECRET is too short/);
    expect(message).toMatch(/PBX_WEBHOOK_SECRET is too short/);
    expect(message).toMatch(/PORT must be a whole number/);
    expect(message).toMatch(/CORS_ORIGINS: "not an origin"/);
    expect(message).toMatch(/FRONT_API_BASE_URL must be an http\(s\) URL/);
    expect(message).not.toContain('short"');
    expect(message).not.toContain('tiny');
  });

  // Proved: accepting a prefix without a path (the regex without its final `\/`) in server/config.ts
  // makes this fail (2026-12-02). "https://recordings.example.com" would also allow
  // https://recordings.example.com.attacker.example/...
  it("Front's budget defaults to the smallest plan; DATABASE_URL must be PostgreSQL's and is never described", () => {
    const config = loadConfig(good);
    expect(config.outbox).toMatchObject({ ratePerMinute: 50, burstPerSecond: 5, rateWindowMs: 60_000 });
    expect(config.databaseUrl).toBeNull();
    expect(problemsOf({ ...good, DATABASE_URL: 'mysql://u:pw@h/db' })).toEqual(['DATABASE_URL must be a postgres:// or postgresql:// URL.']);
    expect(problemsOf({ ...good, FRONT_RATE_LIMIT_PER_MINUTE: '0' })).toEqual(['FRONT_RATE_LIMIT_PER_MINUTE must be a whole number from 1 to 1000000.']);
    const withDb = loadConfig({ ...good, DATABASE_URL: 'postgresql://calls:db-password-789@db.internal/calls' });
    expect(withDb.databaseUrl).toBe('postgresql://calls:db-password-789@db.internal/calls');
    expect(JSON.stringify(describeConfig(withDb))).not.toContain('db-password-789');
  });

  it('refuses a recording URL prefix that does not end in a path', () => {
    expect(problemsOf({ ...good, RECORDING_URL_PREFIXES: 'https://recordings.example.com' }).join('\n')).toMatch(/RECORDING_URL_PREFIXES: "https:\/\/recordings\.example\.com" must be/);
    expect(problemsOf({ ...good, RECORDING_URL_PREFIXES: 'https://recordings.example.com/' })).toEqual([]);
  });

  // Proved: dropping the adminToken or the pbxWebhookSecret redaction in describeConfig (server/config.ts) makes
  // this fail (2026-12-02).
  it('describes itself with the secrets redacted', () => {
    const text = JSON.stringify(describeConfig(loadConfig({ ...good, PBX_WEBHOOK_SECRET: 'pbx-secret-0123456789' })));
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(ADMIN);
    expect(text).not.toContain('pbx-secret-0123456789');
  });
});

describe('logs', () => {
  // Proved: removing the masking of configured secrets in strings, or in Error messages, in server/log.ts makes
  // this fail (2026-12-02).
  it('never contain a secret, as a field or inside a message', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', secrets: [SECRET, ADMIN], write: (line) => lines.push(line) });
    log.info(`oops ${SECRET}`, { authorization: `Bearer ${ADMIN}`, nested: { appSecret: SECRET, note: `token ${ADMIN}` }, error: new Error(`bad ${SECRET}`) });
    const all = lines.join('\n');
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(ADMIN);
    expect(all).toContain('[redacted]');
  });

  // Proved: removing the SECRET_KEY redaction of field names in server/log.ts makes this fail (2026-12-02);
  // the test above still passes then, because its values are all configured secrets, masked anyway.
  it('redact fields named like a secret even when the value is not a configured secret', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', write: (line) => lines.push(line) });
    log.warn('request refused', { headers: { authorization: 'Bearer fst_teammate-token-123' }, token: 'fst_other-token-456', password: 'hunter2-secret' });
    const all = lines.join('\n');
    expect(all).not.toContain('fst_teammate-token-123');
    expect(all).not.toContain('fst_other-token-456');
    expect(all).not.toContain('hunter2-secret');
  });

  it('respect the level', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', write: (line) => lines.push(line) });
    log.info('quiet');
    log.warn('loud');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', msg: 'loud' });
  });
});

describe("the running server's own logs", () => {
  // Proved: starting the server's logger with `secrets: []` in server/app.ts makes this fail (2026-12-02):
  // the refused request's path is logged as it came, and only the configured secrets mask it.
  it('mask the configured secrets even where a request carries them', async () => {
    const dir = tempDir();
    const written: string[] = [];
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    try {
      const server = await startServer(loadConfig(serverEnv(dir.path, 'http://127.0.0.1:9', { LOG_LEVEL: 'warn' })));
      try {
        const res = await request(`${server.url}/front/channel?oops=${APP_SECRET}&admin=${ADMIN_TOKEN}`, { method: 'POST', json: { type: 'list_addresses' } });
        expect(res.status).toBe(401);
      } finally {
        await server.close();
      }
    } finally {
      stderr.mockRestore();
      stdout.mockRestore();
      dir.remove();
    }
    const all = written.join('');
    expect(all).toMatch(/refused a request claiming to come from Front/);
    expect(all).not.toContain(APP_SECRET);
    expect(all).not.toContain(ADMIN_TOKEN);
  });
});
