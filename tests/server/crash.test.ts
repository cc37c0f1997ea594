// @vitest-environment node
/**
 * The real server as a child process, its real SQLite database in a temp dir, against the Front
 * stand-in failing a third of requests (5xx, 429 with Retry-After, hangs, lost responses), killed
 * with SIGKILL and restarted twice while a few hundred calls are reported: every call's status
 * sequence reaches Front exactly once, in order, valid by the table.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidTransition, mapStep, type Direction, type FrontCallStatus, type LifecycleStep } from '../../server/calls/mapping';
import type { Standin } from '../../server/standin/standin';
import type { EndReason } from '../../contract';
import { ADMIN_TOKEN, CHANNEL_ID, createTeammate, frontIdOf, request, serverEnv, spawnServer, startTestStandin, tempDir, waitFor, type ChildServer } from './support';

const CALLS = 300;

interface PlannedCall {
  callId: string;
  direction: Direction;
  customer: string;
  parentCallId?: string;
  events: Array<{ type: string; detail: Record<string, unknown> }>;
  summary: boolean;
  teammate: number;
}

/** A seeded PRNG, so a failure can be replayed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, pick };
}

function plan(seed: number): PlannedCall[] {
  const { next, pick } = prng(seed);
  const calls: PlannedCall[] = [];
  const lifecycle = (callId: string, direction: Direction, customer: string, parentCallId?: string): PlannedCall => {
    const events: PlannedCall['events'] = [
      { type: 'CALL_STARTED', detail: { callId, callType: direction, participant: customer, ...(parentCallId ? { parentCallId } : {}) } },
    ];
    let transferred = false;
    if (!parentCallId && next() < 0.3) {
      const reasons: EndReason[] =
        direction === 'inbound' ? ['missed', 'declined', 'noAnswer', 'remoteHangup', 'answeredElsewhere'] : ['noAnswer', 'busy', 'rejected', 'cancelled', 'failed'];
      events.push({ type: 'CALL_ENDED', detail: { callId, reason: pick(reasons) } });
    } else {
      events.push({ type: 'CALL_CONNECTED', detail: { callId } });
      const holds = Math.floor(next() * 3);
      let held = false;
      for (let i = 0; i < holds; i++) {
        events.push({ type: 'HOLD', detail: { callId } });
        held = true;
        if (i < holds - 1 || next() < 0.7) {
          events.push({ type: 'RESUME', detail: { callId } });
          held = false;
        }
      }
      const reason: EndReason = !parentCallId && next() < 0.12 ? 'transferred' : pick(['localHangup', 'remoteHangup', 'connectionLost'] as const);
      transferred = reason === 'transferred';
      if (transferred && !held && next() < 0.5) events.push({ type: 'HOLD', detail: { callId } });
      events.push({ type: 'CALL_ENDED', detail: { callId, reason } });
    }
    const call: PlannedCall = { callId, direction, customer, events, summary: next() < 0.5, teammate: Math.floor(next() * 4), ...(parentCallId ? { parentCallId } : {}) };
    calls.push(call);
    if (transferred) lifecycle(`${callId}-leg2`, direction, customer, callId);
    return call;
  };
  for (let i = 0; i < CALLS; i++) {
    lifecycle(`crash-${seed}-${i}`, next() < 0.5 ? 'inbound' : 'outbound', `+1415${String(5_000_000 + i).padStart(7, '0')}`);
  }
  return calls;
}

/** What Front must end up with for a planned call, by the mapping table. */
function expectedStatuses(call: PlannedCall): FrontCallStatus[] {
  let state: FrontCallStatus | null = null;
  const seen: FrontCallStatus[] = [];
  for (const e of call.events) {
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
    const result = mapStep({ state, direction: call.direction, step });
    if (result.action === 'create') state = result.initialStatus;
    else if (result.action === 'update') state = result.status;
    else continue;
    seen.push(state);
  }
  return seen;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('through Front failures and two kill -9 restarts', () => {
  let standin: Standin;
  let server: ChildServer | null = null;
  const dir = tempDir('front-calls-crash-');
  let env: Record<string, string>;
  let url = '';
  const recovered: number[] = [];

  beforeAll(async () => {
    standin = await startTestStandin();
    env = serverEnv(dir.path, standin.url, {
      PORT: String(await freePort()),
      FRONT_REQUEST_TIMEOUT_MS: '500',
      OUTBOX_CONCURRENCY: '16',
    });
    server = await spawnServer(env);
    url = server.url;
  }, 30_000);

  afterAll(async () => {
    await server?.stop();
    await standin.close();
    dir.remove();
  }, 30_000);

  const restart = async () => {
    server = await spawnServer(env);
    const match = /"msg":"requests were in flight when the server stopped: sending them again","count":(\d+)/.exec(server.output());
    recovered.push(match ? Number(match[1]) : 0);
  };

  it('every call reaches Front exactly once, in order, valid by the table', { timeout: 110_000 }, async () => {
    await standin.authorize(url, CHANNEL_ID);
    const tokens = await Promise.all([0, 1, 2, 3].map((i) => createTeammate(url, `agent${i}@example.com`)));
    standin.setFaults({ rate: 1 / 3, kinds: ['500', '503', '429', 'hang', 'lostResponse'], retryAfterSeconds: 0.2, seed: 7 });

    const calls = plan(20_260_101);
    const total = calls.reduce((sum, c) => sum + c.events.length + (c.summary ? 1 : 0), 0);
    let accepted = 0;
    let duplicates = 0;

    /** Sends until the server takes it: a 2xx, or 200 duplicate after a restart. */
    const send = async (path: string, json: unknown, token: string) => {
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await request(`${url}${path}`, { method: 'POST', json, token, signal: AbortSignal.timeout(5_000) });
          if (res.status === 202 || res.status === 200) {
            if (res.status === 200) duplicates++;
            accepted++;
            return;
          }
          throw new Error(`refused: ${res.status} ${JSON.stringify(res.body)}`);
        } catch (error) {
          if (error instanceof Error && error.message.startsWith('refused')) throw error;
          if (attempt > 400) throw error;
          await new Promise((r) => setTimeout(r, 25));
        }
      }
    };

    const byId = new Map(calls.map((c) => [c.callId, c]));
    const reported = new Set<string>();
    const queue = [...calls];
    const reporter = async () => {
      for (let call = queue.shift(); call; call = queue.shift()) {
        // A transferred leg is reported after its parent's end, as a plugin would.
        if (call.parentCallId) await waitFor(() => reported.has(call!.parentCallId!), 60_000, 'the parent leg');
        const token = tokens[call.teammate]!;
        let seq = 0;
        let at = Date.now();
        for (const e of call.events) await send('/v1/calls/events', { seq: ++seq, at: (at += 1_000), type: e.type, detail: e.detail }, token);
        reported.add(call.callId);
        if (call.summary) await send('/v1/calls/summary', { callId: call.callId, outcome: call.events.at(-1)!.detail.reason, durationSeconds: 42, tags: ['crash-test'] }, token);
      }
    };

    const killer = async () => {
      // Between operations: Front's requests held (unapplied) when the process dies.
      await waitFor(() => accepted >= total / 3, 60_000, 'a third of the reports');
      standin.setFaults({ hold: true });
      await new Promise((r) => setTimeout(r, 150));
      await server!.kill();
      standin.setFaults({ hold: false });
      await restart();
      // Anywhere: requests may be in flight, or applied with their answer not yet read.
      await waitFor(() => accepted >= (2 * total) / 3, 60_000, 'two thirds of the reports');
      await server!.kill();
      await restart();
    };

    const t0 = Date.now();
    await Promise.all([killer(), ...Array.from({ length: 16 }, reporter)]);
    expect(accepted).toBe(total);
    const reportedAfter = Date.now() - t0;

    await waitFor(
      async () => {
        const s = (await request(`${url}/admin/outbox`, { token: ADMIN_TOKEN })).body;
        return s.pending === 0 && s.inflight === 0;
      },
      60_000,
      'the outbox to drain',
    );

    const drainedAfter = Date.now() - t0;
    const dead = (await request(`${url}/admin/dead-letters`, { token: ADMIN_TOKEN })).body.deadLetters;
    expect(dead).toEqual([]);

    const front = new Map(standin.calls().map((c) => [c.externalCallId, c]));
    expect(front.size).toBe(calls.length);
    let extraSummaries = 0;
    let presumed = 0;
    let skipped = 0;
    for (const call of calls) {
      const frontId = frontIdOf(`agent${call.teammate}@example.com`, call.callId);
      const got = front.get(frontId);
      expect(got, call.callId).toBeDefined();
      // In order: each status carries the time of the event that caused it, increasing.
      const times = got!.timeline.map((e) => e.occurredAt ?? 0);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      if (call.parentCallId) {
        const parent = byId.get(call.parentCallId)!;
        // A leg may be reported by another teammate than its parent's (the transfer's target).
        expect(got!.parentExternalCallId).toBe(frontIdOf(`agent${parent.teammate}@example.com`, parent.callId));
      }
      const requests = (await request(`${url}/admin/calls/${frontId}`, { token: ADMIN_TOKEN })).body.requests as Array<{
        kind: string;
        ambiguous: boolean;
        outcome: string;
        payload: { call_status?: string; initial_status?: string };
      }>;
      presumed += requests.filter((r) => r.outcome === 'presumed_applied').length;
      // Every state queued as the table says; Front got each once, in order, except the stale
      // intermediate ones skipped while a 429 paused sending (recorded as skipped).
      const statuses = got!.timeline.map((e) => e.status);
      const queuedStates = requests.filter((r) => r.kind === 'create' || r.kind === 'status');
      const stateOf = (r: { payload: { call_status?: string; initial_status?: string } }) => r.payload.call_status ?? r.payload.initial_status;
      expect(queuedStates.map(stateOf), `${call.callId}: ${call.events.map((e) => e.type).join(' ')}`).toEqual(expectedStatuses(call));
      expect(statuses, call.callId).toEqual(queuedStates.filter((r) => r.outcome !== 'skipped').map(stateOf));
      expect(statuses.at(-1)).toBe(expectedStatuses(call).at(-1));
      skipped += queuedStates.filter((r) => r.outcome === 'skipped').length;
      for (let i = 1; i < statuses.length; i++) expect(isValidTransition(statuses[i - 1]!, statuses[i]!)).toBe(true);
      if (call.summary) {
        // Front has no duplicate check for summaries: one is sent twice only when an attempt may
        // have reached Front without its answer reaching the server (lost answer, timeout, kill).
        expect(got!.summaries.length, `${call.callId} summary`).toBeGreaterThanOrEqual(1);
        if (got!.summaries.length > 1) expect(requests.find((r) => r.kind === 'summary')!.ambiguous).toBe(true);
        extraSummaries += got!.summaries.length - 1;
      } else {
        expect(got!.summaries).toEqual([]);
      }
    }
    expect(recovered).toHaveLength(2);
    const faults = standin.requests().filter((r) => r.fault !== null).length;
    expect(faults).toBeGreaterThan(total / 6);
    console.info(
      `crash test: ${calls.length} calls, ${total} reports (${duplicates} re-sent after a restart), ${standin.requests().length} Front requests, ${faults} faults, ${recovered.join('+')} in flight at the kills, ${presumed} requests presumed applied, ${skipped} stale states skipped, ${extraSummaries} summaries sent twice; all reported after ${reportedAfter} ms, all in Front after ${drainedAfter} ms`,
    );
  });
});
