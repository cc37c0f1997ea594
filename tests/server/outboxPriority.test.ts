// @vitest-environment node
/**
 * The outbox when behind Front's budget (server/outbox/outbox.ts), with a pacer the test opens
 * one request at a time: creates and final states go before the intermediate states of live
 * calls, a call's requests keep their order, stale states are skipped only along valid
 * transitions, nothing final is skipped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FrontCallStatus } from '../../server/calls/mapping';
import { DEFAULTS } from '../../server/config';
import { openStore, type Store } from '../../server/db/database';
import type { FrontConnector } from '../../server/front/connector';
import type { FrontRequest } from '../../server/front/payloads';
import { silentLogger } from '../../server/log';
import { createOutbox, type Outbox } from '../../server/outbox/outbox';
import type { Pacer } from '../../server/outbox/pacer';
import { waitFor } from './support';

const tuning = {
  concurrency: 4,
  backoffBaseMs: 10,
  backoffMaxMs: 50,
  requestTimeoutMs: 1_000,
  giveUpAfterMs: 60_000,
  maxRetryAfterMs: 1_000,
  maxRecordingBytes: 1_024,
  ratePerMinute: DEFAULTS.ratePerMinute,
  burstPerSecond: DEFAULTS.burstPerSecond,
  rateWindowMs: DEFAULTS.rateWindowMs,
  leaseMs: 30_000,
  pollMs: 1_000,
};

/** A pacer that lets exactly as many requests go as the test allows. */
function gate() {
  let open = 0;
  const pacer: Pacer = {
    delayFor: () => (open > 0 ? 0 : 5),
    take: () => {
      open--;
      return () => {};
    },
    observe: () => {},
    ratePerMs: () => 1 / 1000,
    state: () => ({ limit: 1, limitSource: 'configured', windowMs: 1000, sentInWindow: 0, remaining: null, pausedUntil: null }),
  };
  return { pacer, allow: (n: number) => (open += n) };
}

describe('behind the budget', () => {
  let store: Store;
  let outbox: Outbox | null = null;
  afterEach(async () => {
    await outbox?.close();
    store?.close();
  });

  it('finishes calls first, keeps each call in order, skips only stale states that may be skipped', { timeout: 20_000 }, async () => {
    store = openStore(':memory:');
    store.upsertChannel('cha_1', 'hook', 1);
    let t = 1_000;
    const call = (id: string, sent: FrontCallStatus[], pending: FrontCallStatus[]) => {
      store.insertCall(
        { id, direction: 'inbound', remoteNumber: '+14155550100', remoteName: null, localNumber: null, agentEmail: null, agentExtension: null, parentId: null, startedAt: t, pbxCallId: null, pbxLinked: false, owner: null, clientRef: null },
        t,
      );
      const queue = (status: FrontCallStatus, first: boolean) =>
        store.enqueue({
          callId: id,
          kind: first ? 'create' : 'status',
          payload: JSON.stringify(first ? { external_call_id: id, initial_status: status } : { call_status: status, occurred_at: t }),
          afterSeq: null,
          now: t++,
        });
      [...sent, ...pending].forEach((status, i) => {
        const seq = queue(status, i === 0);
        if (i < sent.length) {
          store.markInflight(seq, t);
          store.markSent(seq, 'accepted', null, t);
        }
      });
    };
    // Queued in this order (oldest first):
    call('live', ['ringing', 'connected'], ['hold']); // a live call's intermediate state
    call('new', [], ['ringing']); // a create
    call('ended', ['ringing'], ['connected', 'hold', 'connected', 'hangup']); // needs `connected` first
    call('missed', ['ringing'], ['missed']); // a final state

    const sent: string[] = [];
    const connector: FrontConnector = {
      async send(request: FrontRequest) {
        const payload = request.payload as { call_status?: string; initial_status?: string };
        sent.push(`${request.callId}:${payload.call_status ?? payload.initial_status}`);
        return { type: 'response', status: 202, retryAfter: null, rateLimit: null, readBody: async () => '' };
      },
      close() {},
    };
    const { pacer, allow } = gate();
    outbox = createOutbox({ store, connector, logger: silentLogger, tuning, pacer });
    outbox.start();
    await waitFor(() => outbox!.stats().behind, 5_000, 'the outbox to be behind');
    expect(outbox.stats().callsWaitingForBudget).toBe(4);

    // One request at a time, as the budget frees up.
    for (let i = 1; i <= 5; i++) {
      allow(1);
      await waitFor(() => sent.length === i, 5_000, `request ${i}`);
    }
    // Proved: choosing the oldest waiting request instead (no priority) makes this fail (`live:hold` goes first).
    expect(sent).toEqual(['new:ringing', 'ended:connected', 'ended:hangup', 'missed:missed', 'live:hold']);
    const ended = store.opsOfCall('ended');
    expect(ended.map((o) => o.outcome)).toEqual(['accepted', 'accepted', 'skipped', 'skipped', 'accepted']);
    expect(outbox.stats().skipped).toBe(2);
    expect(store.outboxCounts()).toMatchObject({ pending: 0, inflight: 0, skipped: 2 });
  });
});
