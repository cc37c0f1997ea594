// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, describeConfig, loadConfig } from '../../server/config';
import { createLogger } from '../../server/log';

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

  it('describes itself with the secrets redacted', () => {
    const text = JSON.stringify(describeConfig(loadConfig({ ...good, PBX_WEBHOOK_SECRET: 'pbx-secret-0123456789' })));
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(ADMIN);
    expect(text).not.toContain('pbx-secret-0123456789');
  });
});

describe('logs', () => {
  it('never contain a secret, as a field or inside a message', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', secrets: [SECRET, ADMIN], write: (line) => lines.push(line) });
    log.info(`oops ${SECRET}`, { authorization: `Bearer ${ADMIN}`, nested: { appSecret: SECRET, note: `token ${ADMIN}` }, error: new Error(`bad ${SECRET}`) });
    const all = lines.join('\n');
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(ADMIN);
    expect(all).toContain('[redacted]');
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
