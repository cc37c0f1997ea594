// @vitest-environment node
/**
 * Two server instances on one PostgreSQL behind a "load balancer" with no affinity (reports of one
 * call land on both): what used to be per process is shared through the database.
 * - Front's budget: the stand-in enforces one budget for the company; a few hundred calls arrive
 *   at both instances: zero 429s, every call exact and in order.
 * - Front's signed requests: accepted by one instance, the same request replayed to the other is
 *   refused.
 * - Failed authentications: counted across the instances (the limit is the company's, not per
 *   instance).
 * - A teammate token revoked through one instance is refused by the other at once.
 *
 * Both instances run in this process (two database connections, two HTTP servers); the SIGKILL of
 * an instance is tests/server/twoInstances.test.ts.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFinal, isValidTransition, mapStep, type Direction, type FrontCallStatus, type LifecycleStep } from '../../server/calls/mapping';
import type { RunningServer } from '../../server';
import { sendAsFront } from '../../server/standin/frontClient';
import { startStandin, type Standin } from '../../server/standin/standin';
import type { EndReason } from '../../contract';
import { postgresAvailable, startPostgres, type TestPostgres } from './postgres';
import { ADMIN_TOKEN, APP_SECRET, APP_UID, CHANNEL_ID, drained, frontIdOf, request, startInProcess, tempDir } from './support';

const CALLS = 200;
const WINDOW_MS = 6_000;
const PER_WINDOW = 240;
const BURST = 5;
const AUTH_LIMIT = 12;

type Ev = { type: string; detail: Record<string, unknown> };

function lifecycle(i: number): { callId: string; direction: Direction; events: Ev[]; summary: boolean } {
  const callId = `shared-${i}`;
  const direction: Direction = i % 2 === 0 ? 'inbound' : 'outbound';
  const events: Ev[] = [{ type: 'CALL_STARTED', detail: { callId, callType: direction, participant: `+1415${String(5_000_000 + i).padStart(7, '0')}` } }];
  if (i % 5 === 0) {
    events.push({ type: 'CALL_ENDED', detail: { callId, reason: (direction === 'inbound' ? 'missed' : 'noAnswer') satisfies EndReason } });
  } else {
    events.push({ type: 'CALL_CONNECTED', detail: { callId } });
    if (i % 3 === 0) events.push({ type: 'HOLD', detail: { callId } }, { type: 'RESUME', detail: { callId } });
    events.push({ type: 'CALL_ENDED', detail: { callId, reason: 'remoteHangup' } });
  }
  return { callId, direction, events, summary: i % 4 === 0 };
}

function expectedStatuses(direction: Direction, events: Ev[]): FrontCallStatus[] {
  let state: FrontCallStatus | null = null;
  const out: FrontCallStatus[] = [];
  for (const e of events) {
    const step: LifecycleStep =
      e.type === 'CALL_STARTED'
        ? { type: 'started' }
        : e.type === 'CALL_CONNECTED'
          ? { type: 'connected' }
          : e.type === 'HOLD'
            ? { type: 'hold' }
            : e.type === 'RESUME'
              ? { type: 'resumed' }
              : { type: 'ended', reason: e.detail.reason as EndReason };
    const r = mapStep({ state, direction, step });
    if (r.action === 'none') continue;
    state = r.action === 'create' ? r.initialStatus : r.status;
    out.push(state);
  }
  return out;
}

/** A GET from a given source address (127.0.0.x): its status. */
function getFrom(localAddress: string, url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = http.request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'GET', localAddress, agent: false, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('two instances on one PostgreSQL share what was per process', () => {
  let pg: TestPostgres;
  let standin: Standin;
  let a: RunningServer;
  let b: RunningServer;
  const dir = tempDir('front-calls-shared-');

  beforeAll(async () => {
    if (!postgresAvailable()) throw new Error('PostgreSQL (Debian postgresql) and root are needed: scripts/system-deps.sh installs it');
    pg = startPostgres();
    const databaseUrl = pg.createDatabase('front_calls');
    standin = await startStandin({ appUid: APP_UID, appSecret: APP_SECRET, budget: { perWindow: PER_WINDOW, burstPerSecond: BURST, windowMs: WINDOW_MS } });
    const env = (name: string) => ({
      DATABASE_URL: databaseUrl,
      DATABASE_PATH: `${dir.path}/${name}-unused.sqlite`,
      // Both configured with Front's budget, as server/README.md says to.
      FRONT_RATE_LIMIT_PER_MINUTE: String(PER_WINDOW),
      FRONT_BURST_PER_SECOND: String(BURST),
      FRONT_RATE_WINDOW_MS: String(WINDOW_MS),
      OUTBOX_MAX_RETRY_AFTER_MS: '10000',
      OUTBOX_LEASE_MS: '3000',
      OUTBOX_POLL_MS: '100',
      // Both instances and the stand-in share this process: a short timeout would be this machine's load.
      FRONT_REQUEST_TIMEOUT_MS: '8000',
      AUTH_FAILURE_LIMIT: String(AUTH_LIMIT),
      AUTH_FAILURE_WINDOW_MS: '600000',
    });
    a = await startInProcess(dir.path, standin.url, env('a'));
    b = await startInProcess(dir.path, standin.url, env('b'));
  }, 120_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await standin?.close();
    pg?.stop();
    dir.remove();
  }, 60_000);

  // Proved: the per-process replay guard (createReplayGuard in server/front/channelRoutes.ts
  // instead of createSharedReplayGuard) makes this fail: B answers 200 (2026-12-02).
  it("Front's signed request accepted by one instance is refused as a replay by the other", async () => {
    const timestamp = Date.now();
    const list = { type: 'list_addresses', payload: {} };
    expect((await sendAsFront(`${a.url}/front/channel`, list, APP_SECRET, { timestamp })).status).toBe(200);
    expect(await sendAsFront(`${b.url}/front/channel`, list, APP_SECRET, { timestamp })).toMatchObject({ status: 401, body: { error: { code: 'replayed_request' } } });
    expect(await sendAsFront(`${a.url}/front/channel`, list, APP_SECRET, { timestamp })).toMatchObject({ status: 401, body: { error: { code: 'replayed_request' } } });
    // Another request (another timestamp) still goes through on either.
    expect((await sendAsFront(`${b.url}/front/channel`, list, APP_SECRET)).status).toBe(200);
  });

  // Proved: caching tokens on a shared database too (`cacheTokens = true` in server/db/database.ts)
  // makes this fail: B still answers 200 after the revocation (2026-12-02).
  it('a token revoked through one instance is refused by the other at once', async () => {
    const created = await request(`${a.url}/admin/tokens`, { method: 'POST', token: ADMIN_TOKEN, json: { email: 'revoked@example.com' } });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    // Both instances have seen it work (a cache would now hold it).
    expect((await request(`${a.url}/v1/me`, { token })).status).toBe(200);
    expect((await request(`${b.url}/v1/me`, { token })).status).toBe(200);
    expect((await request(`${a.url}/admin/tokens/${created.body.id}`, { method: 'DELETE', token: ADMIN_TOKEN })).status).toBeLessThan(300);
    expect((await request(`${b.url}/v1/me`, { token })).status).toBe(401);
    expect((await request(`${a.url}/v1/me`, { token })).status).toBe(401);
  });

  // Proved: per-process counters (createAuthFailures in server/app.ts for a shared store too) make
  // this fail: 2 x AUTH_LIMIT wrong tokens get 401 before any 429 (2026-12-02).
  it('failed authentications are counted across instances: the limit is not multiplied by the instances', async () => {
    const guesser = '127.0.0.6';
    const statuses: number[] = [];
    for (let i = 0; i < 3 * AUTH_LIMIT; i++) {
      statuses.push(await getFrom(guesser, `${(i % 2 === 0 ? a : b).url}/v1/me`, `fst_wrong-guess-${i}`));
    }
    expect(statuses.slice(0, AUTH_LIMIT).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(AUTH_LIMIT).every((s) => s === 429), statuses.join(' ')).toBe(true);
    // Blocked on both, even with an admin token; another address is not.
    expect(await getFrom(guesser, `${a.url}/admin/outbox`, ADMIN_TOKEN)).toBe(429);
    expect(await getFrom(guesser, `${b.url}/admin/outbox`, ADMIN_TOKEN)).toBe(429);
    expect(await getFrom('127.0.0.7', `${b.url}/admin/outbox`, ADMIN_TOKEN)).toBe(200);
  });

  // Proved: a pacer per instance (the in-memory createPacer in server/app.ts for a shared store
  // too) makes this fail: 357 429s (2026-12-02).
  it("a few hundred calls arriving at both: together under Front's budget, zero 429s, every call exact and in order", { timeout: 180_000 }, async () => {
    await standin.authorize(a.url, CHANNEL_ID);
    const emails = [0, 1, 2, 3].map((i) => `shared${i}@example.com`);
    const tokens = await Promise.all(
      emails.map(async (email) => {
        const res = await request(`${b.url}/admin/tokens`, { method: 'POST', token: ADMIN_TOKEN, json: { email } });
        return res.body.token as string;
      }),
    );
    const calls = Array.from({ length: CALLS }, (_, i) => lifecycle(i));
    let at = Date.now();
    let n = 0;
    // The balancer: each report to either instance, in turn (a call's reports land on both).
    await Promise.all(
      calls.map(async (call, i) => {
        const token = tokens[i % 4]!;
        let seq = 0;
        for (const e of call.events) {
          const server = n++ % 2 === 0 ? a : b;
          const res = await request(`${server.url}/v1/calls/events`, { method: 'POST', token, json: { seq: ++seq, at: (at += 1), ...e } });
          expect(res.status, JSON.stringify(res.body)).toBe(202);
        }
        if (call.summary) {
          const server = n++ % 2 === 0 ? a : b;
          const res = await request(`${server.url}/v1/calls/summary`, { method: 'POST', token, json: { callId: call.callId, outcome: 'remoteHangup' } });
          expect(res.status).toBe(202);
        }
      }),
    );
    await drained(a.url, 150_000);

    expect(standin.answers()[429] ?? 0).toBe(0);
    expect((await request(`${b.url}/admin/dead-letters`, { token: ADMIN_TOKEN })).body.deadLetters).toEqual([]);
    for (const [i, call] of calls.entries()) {
      const frontId = frontIdOf(emails[i % 4]!, call.callId);
      const got = standin.call(frontId);
      expect(got, call.callId).toBeDefined();
      const statuses = got!.timeline.map((e) => e.status);
      const expected = expectedStatuses(call.direction, call.events);
      expect(statuses[0]).toBe(expected[0]);
      expect(statuses.at(-1)).toBe(expected.at(-1));
      expect(isFinal(statuses.at(-1)!)).toBe(true);
      for (let k = 1; k < statuses.length; k++) expect(isValidTransition(statuses[k - 1]!, statuses[k]!), `${call.callId} ${statuses.join(' ')}`).toBe(true);
      const times = got!.timeline.map((e) => e.occurredAt ?? 0);
      expect([...times].sort((x, y) => x - y)).toEqual(times);
      // Exactly once: what was queued, less what was recorded as skipped (stale while behind).
      const requests = (await request(`${a.url}/admin/calls/${frontId}`, { token: ADMIN_TOKEN })).body.requests as Array<{
        kind: string;
        outcome: string;
        payload: { call_status?: string; initial_status?: string };
      }>;
      const sent = requests.filter((r) => (r.kind === 'create' || r.kind === 'status') && r.outcome !== 'skipped').map((r) => r.payload.call_status ?? r.payload.initial_status);
      expect(statuses).toEqual(sent);
      expect(requests.filter((r) => r.kind === 'create' || r.kind === 'status').map((r) => r.payload.call_status ?? r.payload.initial_status)).toEqual(expected);
      expect(got!.summaries.length).toBe(call.summary ? 1 : 0);
    }
    // The figures of server/README.md: the busiest window, and the share of the budget used from
    // the first request to the last (the instances were behind throughout).
    const times = standin.requests().filter((r) => r.operation !== null).map((r) => r.at).sort((x, y) => x - y);
    let busiest = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= WINDOW_MS) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    const perWindow = times.reduce<number[]>((w, t) => {
      const k = Math.floor((t - times[0]!) / WINDOW_MS);
      w[k] = (w[k] ?? 0) + 1;
      return w;
    }, []);
    const share = times.length / (((times.at(-1)! - times[0]!) / WINDOW_MS) * PER_WINDOW);
    console.info(
      `shared budget: ${calls.length} calls over two instances, ${times.length} Front requests, busiest window ${busiest} of ${PER_WINDOW}, ` +
        `budget used ${(share * 100).toFixed(1)}%, windows ${perWindow.join(' ')}, answers ${JSON.stringify(standin.answers())}`,
    );
  });
});
