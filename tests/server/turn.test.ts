// @vitest-environment node
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from '../../server';
import type { Standin } from '../../server/standin/standin';
import { mintTurnCredentials } from '../../server/turn/credentials';
import { createTeammate, request, serverEnv, spawnServer, startTestStandin, tempDir, type ChildServer } from './support';

const TURN_SECRET = 'turn-static-auth-secret-0123';

describe('TURN credentials (TURN REST scheme, coturn use-auth-secret)', () => {
  it('are "<expiry>:<teammate>" and base64(HMAC-SHA1(secret, username)), valid for the TTL', () => {
    const minted = mintTurnCredentials({ secret: TURN_SECRET, urls: ['turn:turn.example.com:3478'], ttlSeconds: 86_400 }, 'ada@example.com', 1_700_000_000_500);
    expect(minted).toEqual({
      urls: ['turn:turn.example.com:3478'],
      username: '1700086400:ada@example.com',
      // Computed independently: printf '%s' "1700086400:ada@example.com" | openssl dgst -sha1 -hmac "$SECRET" -binary | base64
      credential: 'HAEfmk1wg6ZZ0VrJdDrm/5KKIo4=',
      ttlSeconds: 86_400,
      expiresAt: '2023-11-15T22:13:20.000Z',
    });
  });

  it('keep the username to two parts whatever the teammate label', () => {
    const minted = mintTurnCredentials({ secret: TURN_SECRET, urls: ['turn:t.example.com'], ttlSeconds: 60 }, 'odd:name here', 0);
    expect(minted.username).toBe('60:odd_name_here');
  });
});

describe('the TURN configuration', () => {
  const base = serverEnv('/tmp', 'http://127.0.0.1:1');

  it('is off without TURN_SECRET and TURN_URLS, and needs both', () => {
    expect(loadConfig(base).turn).toBeNull();
    expect(() => loadConfig({ ...base, TURN_SECRET })).toThrow(/TURN_SECRET and TURN_URLS go together/);
    expect(() => loadConfig({ ...base, TURN_URLS: 'turn:t.example.com' })).toThrow(/TURN_SECRET and TURN_URLS go together/);
  });

  it('refuses a bad URL or a short secret without repeating the secret', () => {
    try {
      loadConfig({ ...base, TURN_SECRET: 'short-1234', TURN_URLS: 'https://turn.example.com' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toMatch(/TURN_SECRET is too short/);
      expect(message).toMatch(/TURN_URLS: "https:\/\/turn.example.com" is not a turn:/);
      expect(message).not.toContain('short-1234');
    }
  });

  // Proved: dropping the `turn: ... secret: '[redacted]'` line of describeConfig makes this fail.
  it('describes itself without the secret', () => {
    const config = loadConfig({ ...base, TURN_SECRET, TURN_URLS: 'turn:t.example.com:3478, turns:t.example.com:5349', TURN_TTL_SECONDS: '600' });
    expect(config.turn).toEqual({ secret: TURN_SECRET, urls: ['turn:t.example.com:3478', 'turns:t.example.com:5349'], ttlSeconds: 600 });
    expect(JSON.stringify(describeConfig(config))).not.toContain(TURN_SECRET);
  });
});

describe('GET /v1/turn-credentials on the real server', () => {
  let standin: Standin;
  let server: ChildServer;
  const dir = tempDir();

  beforeAll(async () => {
    standin = await startTestStandin();
    server = await spawnServer(serverEnv(dir.path, standin.url, { TURN_SECRET, TURN_URLS: 'turn:127.0.0.1:3478', TURN_TTL_SECONDS: '600', LOG_LEVEL: 'debug' }));
  });
  afterAll(async () => {
    await server?.stop();
    await standin?.close();
    dir.remove();
  });

  // Proved: replacing authenticateTeammate in server/turn/route.ts with a fixed teammate makes this fail.
  it('answers 401 without a teammate token or with a wrong one, and credentials for a teammate', async () => {
    const none = await request(`${server.url}/v1/turn-credentials`);
    expect(none.status).toBe(401);
    expect(none.body).not.toHaveProperty('credential');
    expect((await request(`${server.url}/v1/turn-credentials`, { token: 'fst_not-a-real-token' })).status).toBe(401);

    const token = await createTeammate(server.url, 'ada@example.com');
    const before = Math.floor(Date.now() / 1000);
    const issued = await request(`${server.url}/v1/turn-credentials`, { token });
    expect(issued.status).toBe(200);
    const { username, credential, urls, ttlSeconds } = issued.body as { username: string; credential: string; urls: string[]; ttlSeconds: number };
    expect(urls).toEqual(['turn:127.0.0.1:3478']);
    expect(ttlSeconds).toBe(600);
    const [expiry, who] = username.split(':');
    expect(who).toBe('ada@example.com');
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + 600);
    expect(credential).toBe(mintTurnCredentials({ secret: TURN_SECRET, urls, ttlSeconds }, 'ada@example.com', Number(expiry) * 1000 - 600_000).credential);

    // Nothing of it in the server's logs (debug level), the issue logged without the credential.
    await new Promise((done) => setTimeout(done, 100));
    const output = server.output();
    expect(output).toContain('turn credentials issued');
    expect(output).not.toContain(TURN_SECRET);
    expect(output).not.toContain(credential);
  });

  it('answers 404 when the server offers no TURN', async () => {
    const plainDir = tempDir();
    const plain = await spawnServer(serverEnv(plainDir.path, standin.url));
    try {
      const token = await createTeammate(plain.url, 'bo@example.com');
      const reply = await request(`${plain.url}/v1/turn-credentials`, { token });
      expect(reply.status).toBe(404);
    } finally {
      await plain.stop();
      plainDir.remove();
    }
  });
});
