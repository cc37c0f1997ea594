// @vitest-environment node
/**
 * Front's rate limits: the stand-in enforces a budget (time compressed: a "minute" of 6 s, 240
 * requests in it, 5 a burst window per channel) and answers 429 with Retry-After over it; a few
 * hundred calls' reports arrive at once. The server, configured with a budget far too high, learns
 * Front's from the answers' X-RateLimit-* headers and paces itself: zero 429s, every call's states
 * reach Front in order and valid by the table, the final one always, creates and final states
 * first while behind, stale intermediate states skipped only where the table allows it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFinal, isValidTransition, mapStep, type Direction, type FrontCallStatus, type LifecycleStep } from '../../server/calls/mapping';
import type { RunningServer } from '../../server';
import { startStandin, type Standin } from '../../server/standin/standin';
import type { EndReason } from '../../contract';
import { ADMIN_TOKEN, APP_SECRET, APP_UID, CHANNEL_ID, createTeammate, drained, frontIdOf, request, startInProcess, tempDir } from './support';

const CALLS = 160;
const WINDOW_MS = 6_000;
const PER_WINDOW = 240;
const BURST = 5;

type Ev = { type: string; detail: Record<string, unknown> };

function lifecycle(i: number): { callId: string; direction: Direction; events: Ev[]; summary: boolean } {
  const callId = `budget-${i}`;
  const direction: Direction = i % 2 === 0 ? 'inbound' : 'outbound';
  const events: Ev[] = [{ type: 'CALL_STARTED', detail: { callId, callType: direction, participant: `+1415${String(6_000_000 + i).padStart(7, '0')}` } }];
  if (i % 5 === 0) {
    events.push({ type: 'CALL_ENDED', detail: { callId, reason: (direction === 'inbound' ? 'missed' : 'noAnswer') satisfies EndReason } });
  } else {
    events.push({ type: 'CALL_CONNECTED', detail: { callId } });
    for (let h = 0; h < (i % 3) + 1; h++) {
      events.push({ type: 'HOLD', detail: { callId } }, { type: 'RESUME', detail: { callId } });
    }
    if (i % 7 === 0) events.push({ type: 'HOLD', detail: { callId } });
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

describe("paced under Front's budget", () => {
  let standin: Standin;
  let server: RunningServer;
  const dir = tempDir('front-calls-budget-');

  beforeAll(async () => {
    standin = await startStandin({ appUid: APP_UID, appSecret: APP_SECRET, budget: { perWindow: PER_WINDOW, burstPerSecond: BURST, windowMs: WINDOW_MS } });
    server = await startInProcess(dir.path, standin.url, {
      // Far above Front's: the server must learn the budget from the headers.
      FRONT_RATE_LIMIT_PER_MINUTE: '100000',
      FRONT_BURST_PER_SECOND: String(BURST),
      FRONT_RATE_WINDOW_MS: String(WINDOW_MS),
      OUTBOX_MAX_RETRY_AFTER_MS: '10000',
    });
  }, 30_000);

  afterAll(async () => {
    await server?.close();
    await standin?.close();
    dir.remove();
  });

  it('a few hundred calls at once: zero 429s, every call exact and in order', { timeout: 120_000 }, async () => {
    await standin.authorize(server.url, CHANNEL_ID);
    const tokens = await Promise.all([0, 1, 2, 3].map((i) => createTeammate(server.url, `pace${i}@example.com`)));
    const calls = Array.from({ length: CALLS }, (_, i) => lifecycle(i));

    // Every call's reports, as fast as the server takes them (a call's events in order).
    let at = Date.now();
    await Promise.all(
      calls.map(async (call, i) => {
        const token = tokens[i % 4]!;
        let seq = 0;
        for (const e of call.events) {
          const res = await request(`${server.url}/v1/calls/events`, { method: 'POST', token, json: { seq: ++seq, at: (at += 1), ...e } });
          expect(res.status, JSON.stringify(res.body)).toBe(202);
        }
        if (call.summary) {
          const res = await request(`${server.url}/v1/calls/summary`, { method: 'POST', token, json: { callId: call.callId, outcome: 'remoteHangup' } });
          expect(res.status).toBe(202);
        }
      }),
    );

    // Behind: the admin endpoint shows the backlog and the expected delay.
    const behind = (await request(`${server.url}/admin/outbox`, { token: ADMIN_TOKEN })).body;
    expect(behind.backlog).toBeGreaterThan(0);
    expect(behind.expectedDelayMs).toBeGreaterThan(0);
    expect(behind.budget).toMatchObject({ limit: PER_WINDOW, limitSource: 'front' });

    await drained(server.url, 100_000);
    // Proved: a pacer that always allows (delayFor → 0) makes this fail (1,027 429s); counting a
    // request from when it leaves instead of until its answer made it fail too (50 429s: requests
    // delayed on their way arrive bunched, and Front counts arrivals).
    expect(standin.answers()[429] ?? 0).toBe(0);
    expect((await request(`${server.url}/admin/dead-letters`, { token: ADMIN_TOKEN })).body.deadLetters).toEqual([]);

    let skipped = 0;
    for (const [i, call] of calls.entries()) {
      const frontId = frontIdOf(`pace${i % 4}@example.com`, call.callId);
      const got = standin.call(frontId);
      expect(got, call.callId).toBeDefined();
      const statuses = got!.timeline.map((e) => e.status);
      const expected = expectedStatuses(call.direction, call.events);
      // The final state always, the same create, valid transitions, in the order reported.
      expect(statuses[0]).toBe(expected[0]);
      expect(statuses.at(-1)).toBe(expected.at(-1));
      expect(isFinal(statuses.at(-1)!)).toBe(true);
      for (let i = 1; i < statuses.length; i++) expect(isValidTransition(statuses[i - 1]!, statuses[i]!), `${call.callId} ${statuses.join(' ')}`).toBe(true);
      const times = got!.timeline.map((e) => e.occurredAt ?? 0);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      // Exactly what was queued, less what the server recorded as skipped (stale while behind).
      const requests = (await request(`${server.url}/admin/calls/${frontId}`, { token: ADMIN_TOKEN })).body.requests as Array<{
        kind: string;
        outcome: string;
        payload: { call_status?: string; initial_status?: string };
      }>;
      const sent = requests
        .filter((r) => (r.kind === 'create' || r.kind === 'status') && r.outcome !== 'skipped')
        .map((r) => r.payload.call_status ?? r.payload.initial_status);
      expect(statuses).toEqual(sent);
      expect(requests.filter((r) => r.kind === 'create' || r.kind === 'status').map((r) => r.payload.call_status ?? r.payload.initial_status)).toEqual(expected);
      skipped += requests.filter((r) => r.outcome === 'skipped').length;
      expect(got!.summaries.length).toBe(call.summary ? 1 : 0);
    }
    // A few hundred calls at once are far behind a 240-a-window budget: stale states were skipped.
    expect(skipped).toBeGreaterThan(0);
    const front = standin.requests().length;
    console.info(`budget test: ${calls.length} calls, ${front} Front requests, ${skipped} stale states skipped, answers ${JSON.stringify(standin.answers())}`);
  });
});
