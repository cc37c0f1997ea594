// @vitest-environment node
/**
 * Failed authentications are limited per client address: a client guessing tokens gets 429s (with
 * Retry-After) once past the limit, even with a right token, and other clients are not affected.
 * Clients are told apart by their source address on the loopback (127.0.0.x).
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server';
import { createAuthFailures } from '../../server/http/authFailures';
import type { Standin } from '../../server/standin/standin';
import { ADMIN_TOKEN, createTeammate, startInProcess, startTestStandin, tempDir } from './support';

/** A GET from a given source address; resolves with the status and the Retry-After header. */
function getFrom(localAddress: string, url: string, token: string): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = http.request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'GET', localAddress, agent: false, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('failed authentications, per client', () => {
  let standin: Standin;
  let server: RunningServer;
  let token: string;
  const dir = tempDir();
  const LIMIT = 20;
  beforeAll(async () => {
    standin = await startTestStandin();
    server = await startInProcess(dir.path, standin.url, { AUTH_FAILURE_LIMIT: String(LIMIT), AUTH_FAILURE_WINDOW_MS: '600000' });
    token = await createTeammate(server.url, 'ada@example.com');
  });
  afterAll(async () => {
    await server.close();
    await standin.close();
    dir.remove();
  });

  // Proved: removing the blockedFor check in the onRequest hook of server/http/router.ts (or never calling
  // authFailures.failed on a 401) makes this fail (2026-12-02).
  it('300 wrong tokens do not all get 401s; the guessing client is refused even with a right token; another client still gets in', async () => {
    const guesser = '127.0.0.3';
    const statuses: number[] = [];
    const retryAfters = new Set<string | undefined>();
    for (let batch = 0; batch < 30; batch++) {
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => getFrom(guesser, `${server.url}/v1/me`, `fst_guess-${batch}-${i}`)));
      for (const a of answers) {
        statuses.push(a.status);
        if (a.status === 429) retryAfters.add(a.retryAfter);
      }
    }
    const unauthorized = statuses.filter((s) => s === 401).length;
    const limited = statuses.filter((s) => s === 429).length;
    expect(unauthorized + limited).toBe(300);
    expect(unauthorized).toBeLessThanOrEqual(LIMIT + 10); // a batch in flight when the limit is reached
    expect(limited).toBeGreaterThanOrEqual(300 - LIMIT - 10);
    expect([...retryAfters].every((r) => r !== undefined && Number(r) > 0)).toBe(true);

    // Blocked means blocked: a right token from the guessing address is refused too (no oracle for guesses).
    expect((await getFrom(guesser, `${server.url}/v1/me`, token)).status).toBe(429);
    // Another client is not affected, teammate or admin.
    expect((await getFrom('127.0.0.4', `${server.url}/v1/me`, token)).status).toBe(200);
    expect((await getFrom('127.0.0.4', `${server.url}/admin/outbox`, ADMIN_TOKEN)).status).toBe(200);
  });

  it('wrong admin tokens count too', async () => {
    const guesser = '127.0.0.5';
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 5; i++) statuses.push((await getFrom(guesser, `${server.url}/admin/outbox`, `wrong-admin-token-${i}`)).status);
    expect(statuses.slice(0, LIMIT).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(LIMIT).every((s) => s === 429)).toBe(true);
  });
});

describe('the failure counter', () => {
  it('blocks an address after max failures until the window ends, and only that address', () => {
    let t = 1_000_000;
    const failures = createAuthFailures({ max: 3, windowMs: 60_000, now: () => t });
    for (let i = 0; i < 3; i++) {
      expect(failures.blockedFor('a')).toBe(0);
      failures.failed('a');
    }
    expect(failures.blockedFor('a')).toBe(60_000);
    expect(failures.blockedFor('b')).toBe(0);
    t += 59_000;
    expect(failures.blockedFor('a')).toBe(1_000);
    t += 1_000;
    expect(failures.blockedFor('a')).toBe(0);
    failures.failed('a');
    expect(failures.blockedFor('a')).toBe(0);
  });
});
