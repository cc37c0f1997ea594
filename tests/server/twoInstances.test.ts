// @vitest-environment node
/**
 * Two server instances (the real CLI, child processes) on one PostgreSQL, behind a "load
 * balancer" that sends each report to either, with no affinity: calls' reports land on both.
 * One instance is killed with SIGKILL while Front's requests are in flight; the balancer then
 * sends everything to the other. Every call reaches Front: nothing lost, nothing applied twice,
 * each call's states in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidTransition, mapStep, type Direction, type FrontCallStatus, type LifecycleStep } from '../../server/calls/mapping';
import { startStandin, type Standin } from '../../server/standin/standin';
import type { EndReason } from '../../contract';
import { postgresAvailable, startPostgres, type TestPostgres } from './postgres';
import { ADMIN_TOKEN, APP_SECRET, APP_UID, CHANNEL_ID, createTeammate, frontIdOf, request, serverEnv, spawnServer, tempDir, waitFor, type ChildServer } from './support';

const CALLS = 120;
const CONCURRENCY = 8;

type Ev = { type: string; detail: Record<string, unknown> };

function lifecycle(i: number): { callId: string; direction: Direction; events: Ev[]; summary: boolean } {
  const callId = `two-${i}`;
  const direction: Direction = i % 2 === 0 ? 'inbound' : 'outbound';
  const events: Ev[] = [{ type: 'CALL_STARTED', detail: { callId, callType: direction, participant: `+1415${String(7_000_000 + i).padStart(7, '0')}` } }];
  if (i % 6 === 0) {
    events.push({ type: 'CALL_ENDED', detail: { callId, reason: (direction === 'inbound' ? 'missed' : 'busy') satisfies EndReason } });
  } else {
    events.push({ type: 'CALL_CONNECTED', detail: { callId } });
    if (i % 3 === 0) events.push({ type: 'HOLD', detail: { callId } }, { type: 'RESUME', detail: { callId } });
    events.push({ type: 'CALL_ENDED', detail: { callId, reason: 'localHangup' } });
  }
  return { callId, direction, events, summary: i % 4 === 1 };
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

describe('two instances on one PostgreSQL, one killed with kill -9', () => {
  let pg: TestPostgres;
  let standin: Standin;
  const dir = tempDir('front-calls-two-');
  let a: ChildServer | null = null;
  let b: ChildServer | null = null;

  beforeAll(async () => {
    if (!postgresAvailable()) throw new Error('PostgreSQL (Debian postgresql) and root are needed: scripts/system-deps.sh installs it');
    pg = startPostgres();
    const databaseUrl = pg.createDatabase('front_calls');
    // Each Front request takes a moment, so some are in flight when an instance dies.
    standin = await startStandin({ appUid: APP_UID, appSecret: APP_SECRET, maxHangMs: 10_000, faults: { latencyMs: 15 } });
    const env = (name: string) =>
      serverEnv(dir.path, standin.url, {
        DATABASE_URL: databaseUrl,
        DATABASE_PATH: `${dir.path}/${name}-unused.sqlite`,
        OUTBOX_CONCURRENCY: String(CONCURRENCY),
        OUTBOX_LEASE_MS: '1500',
        OUTBOX_POLL_MS: '100',
        FRONT_REQUEST_TIMEOUT_MS: '8000',
      });
    // One after the other: both apply the migrations once (the second finds them applied).
    a = await spawnServer(env('a'));
    b = await spawnServer(env('b'));
  }, 120_000);

  afterAll(async () => {
    await a?.kill().catch(() => {});
    await b?.stop().catch(() => {});
    await standin?.close();
    pg?.stop();
    dir.remove();
  }, 60_000);

  it('nothing lost, nothing applied twice, per-call order kept', { timeout: 150_000 }, async () => {
    await standin.authorize(a!.url, CHANNEL_ID);
    const tokens = await Promise.all([0, 1, 2].map((i) => createTeammate(i % 2 === 0 ? a!.url : b!.url, `two${i}@example.com`)));
    const calls = Array.from({ length: CALLS }, (_, i) => lifecycle(i));
    const total = calls.reduce((n, c) => n + c.events.length + (c.summary ? 1 : 0), 0);

    let aAlive = true;
    let turn = 0;
    let accepted = 0;
    /** The balancer: alternates between the instances; once A is dead, B only. */
    const send = async (path: string, json: unknown, token: string) => {
      for (let attempt = 0; ; attempt++) {
        const target = aAlive && turn++ % 2 === 0 ? a! : b!;
        try {
          const res = await request(`${target.url}${path}`, { method: 'POST', json, token, signal: AbortSignal.timeout(10_000) });
          if (res.status === 202 || res.status === 200) {
            accepted++;
            return;
          }
          // A report of a call whose previous report is not yet visible here, or a transient
          // database error: the plugin retries (its outbox's policy).
          if (res.status !== 409 && res.status < 500) throw new Error(`refused: ${res.status} ${JSON.stringify(res.body)}`);
        } catch (error) {
          if (error instanceof Error && error.message.startsWith('refused')) throw error;
        }
        if (attempt > 300) throw new Error(`gave up on ${path}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    const teammateOf = (callId: string) => callId.length % 3;
    const queue = [...calls];
    const reporter = async () => {
      for (let call = queue.shift(); call; call = queue.shift()) {
        const token = tokens[teammateOf(call.callId)]!;
        let seq = 0;
        let at = Date.now();
        for (const e of call.events) await send('/v1/calls/events', { seq: ++seq, at: (at += 1_000), ...e }, token);
        if (call.summary) await send('/v1/calls/summary', { callId: call.callId, outcome: 'localHangup', durationSeconds: 30 }, token);
      }
    };
    const killer = async () => {
      await waitFor(() => accepted >= total / 3, 60_000, 'a third of the reports');
      aAlive = false;
      await a!.kill();
      a = null;
    };
    await Promise.all([killer(), ...Array.from({ length: 12 }, reporter)]);
    expect(accepted).toBe(total);

    // Proved: without the lease (claims always granted, the in-flight mark unfenced), and with a
    // claim that ignores another instance's running lease, this test fails: the instances take
    // each other's requests and the killed one's are never finished (the outbox never drains).
    await waitFor(
      async () => {
        const s = (await request(`${b!.url}/admin/outbox`, { token: ADMIN_TOKEN })).body;
        return s.pending === 0 && s.inflight === 0;
      },
      60_000,
      'the outbox to drain (B takes over A’s calls once their leases run out)',
    );
    expect((await request(`${b!.url}/admin/dead-letters`, { token: ADMIN_TOKEN })).body.deadLetters).toEqual([]);

    let presumed = 0;
    let ambiguous = 0;
    for (const call of calls) {
      const frontId = frontIdOf(`two${teammateOf(call.callId)}@example.com`, call.callId);
      const got = standin.call(frontId);
      expect(got, call.callId).toBeDefined();
      const statuses = got!.timeline.map((e) => e.status);
      // Each state applied once, in the order reported, valid by the table.
      expect(statuses, call.callId).toEqual(expectedStatuses(call.direction, call.events));
      for (let i = 1; i < statuses.length; i++) expect(isValidTransition(statuses[i - 1]!, statuses[i]!)).toBe(true);
      const times = got!.timeline.map((e) => e.occurredAt ?? 0);
      expect([...times].sort((x, y) => x - y)).toEqual(times);
      const requests = (await request(`${b!.url}/admin/calls/${frontId}`, { token: ADMIN_TOKEN })).body.requests as Array<{
        kind: string;
        ambiguous: boolean;
        outcome: string;
      }>;
      presumed += requests.filter((r) => r.outcome === 'presumed_applied').length;
      ambiguous += requests.filter((r) => r.ambiguous).length;
      if (call.summary) {
        // A summary goes twice only if it was in flight when A died (Front cannot tell).
        expect(got!.summaries.length).toBeGreaterThanOrEqual(1);
        if (got!.summaries.length > 1) expect(requests.find((r) => r.kind === 'summary')!.ambiguous).toBe(true);
      } else {
        expect(got!.summaries).toEqual([]);
      }
    }
    // Sent twice on the wire only what A had in flight when it died (at most its concurrency):
    // every refusal Front gave is a repeat of one of those, read as already applied.
    const refused = standin.requests().filter((r) => r.status === 400);
    expect(refused.length).toBe(presumed);
    expect(ambiguous).toBeLessThanOrEqual(CONCURRENCY);
    console.info(`two instances: ${calls.length} calls, ${total} reports, ${standin.requests().length} Front requests, ${ambiguous} in flight at the kill sent again, ${presumed} of them refused as already applied`);
  });
});
