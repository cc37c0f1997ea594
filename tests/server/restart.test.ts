// @vitest-environment node
/**
 * What is guaranteed across `kill -9`, case by case, with the real server as a child process, on
 * both databases: SQLite (the embedded default) and PostgreSQL (DATABASE_URL; a restarted
 * instance is a new instance: it takes the dead one's calls over once their leases run out).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postgresAvailable, startPostgres, type TestPostgres } from './postgres';
import type { Standin } from '../../server/standin/standin';
import { ADMIN_TOKEN, CHANNEL_ID, createTeammate, drained, event, frontIdOf, request, serverEnv, spawnServer, startTestStandin, tempDir, waitFor, type ChildServer } from './support';

const BACKENDS = ['sqlite', 'postgres'] as const;

describe.each(BACKENDS)('on %s', (backend) => {
  let standin: Standin;
  let dir: ReturnType<typeof tempDir>;
  let server: ChildServer | null;
  let env: Record<string, string>;

  let pg: TestPostgres | null = null;
  let databases = 0;

  beforeAll(() => {
    if (!postgresAvailable()) throw new Error('PostgreSQL (Debian postgresql) and root are needed: scripts/system-deps.sh installs it');
    pg = startPostgres();
  }, 120_000);

  afterAll(() => pg?.stop(), 60_000);

  beforeEach(async () => {
    standin = await startTestStandin();
    dir = tempDir('front-calls-restart-');
    env = serverEnv(dir.path, standin.url, {
      FRONT_REQUEST_TIMEOUT_MS: '10000',
      ...(backend === 'postgres' ? { DATABASE_URL: pg!.createDatabase(`restart_${++databases}`), OUTBOX_LEASE_MS: '1000', OUTBOX_POLL_MS: '100' } : {}),
    });
    server = await spawnServer(env);
    await standin.authorize(server.url, CHANNEL_ID);
  }, 30_000);

  afterEach(async () => {
    await server?.stop();
    await standin.close();
    dir.remove();
  }, 30_000);

  const CUSTOMER = '+14155550100';
  const requestsOf = async (callId: string) =>
    (await request(`${server!.url}/admin/calls/${frontIdOf('ada@example.com', callId)}`, { token: ADMIN_TOKEN })).body.requests as Array<{ kind: string; outcome: string; ambiguous: boolean; state: string }>;

  describe('kill -9', () => {
    it('between operations: every accepted report is sent after the restart, none twice', { timeout: 30_000 }, async () => {
      const token = await createTeammate(server!.url, 'ada@example.com');
      standin.setFaults({ hold: true });
      const ids = Array.from({ length: 20 }, (_, i) => `between-${i}`);
      for (const id of ids) {
        const t = Date.now();
        const post = (path: string, json: unknown) => request(`${server!.url}${path}`, { method: 'POST', json, token });
        expect((await post('/v1/calls/events', event(1, 'CALL_STARTED', { callId: id, callType: 'outbound', participant: CUSTOMER }, t))).status).toBe(202);
        expect((await post('/v1/calls/events', event(2, 'CALL_CONNECTED', { callId: id }, t + 1))).status).toBe(202);
        expect((await post('/v1/calls/events', event(3, 'CALL_ENDED', { callId: id, reason: 'remoteHangup' }, t + 2))).status).toBe(202);
        expect((await post('/v1/calls/summary', { callId: id, outcome: 'remoteHangup' })).status).toBe(202);
      }
      // Front holds the first requests, unanswered and unapplied, when the process dies.
      await server!.kill();
      standin.setFaults({ hold: false });
      server = await spawnServer(env);
      await drained(server.url);
      for (const id of ids) {
        const call = standin.call(frontIdOf('ada@example.com', id))!;
        expect(call.timeline.map((e) => e.status)).toEqual(['ringing', 'connected', 'hangup']);
        expect(call.summaries).toHaveLength(1);
      }
    });

    it('a status Front applied but never answered is not applied twice', { timeout: 30_000 }, async () => {
      const token = await createTeammate(server!.url, 'ada@example.com');
      const post = (json: unknown) => request(`${server!.url}/v1/calls/events`, { method: 'POST', json, token });
      await post(event(1, 'CALL_STARTED', { callId: 'c1', callType: 'inbound', participant: CUSTOMER }));
      await post(event(2, 'CALL_CONNECTED', { callId: 'c1' }));
      await drained(server!.url);
      standin.setFaults({ rate: 1, kinds: ['hangAfterApply'], operations: ['status'] });
      await post(event(3, 'CALL_ENDED', { callId: 'c1', reason: 'localHangup' }));
      await waitFor(() => standin.call(frontIdOf('ada@example.com', 'c1'))!.timeline.length === 3, 5_000, 'Front to apply the hangup');
      await server!.kill();
      standin.setFaults({ rate: 0 });
      server = await spawnServer(env);
      expect(server.output()).toMatch(
        backend === 'sqlite'
          ? /requests were in flight when the server stopped: sending them again","count":1/
          : /.*/, // PostgreSQL: the call is taken over once the dead instance's lease runs out (below)
      );
      await drained(server.url);
      if (backend === 'postgres') expect(server.output()).toMatch(/took over requests left in flight by a stopped instance: sending them again","callId":"[^"]+","count":1/);
      expect(standin.call(frontIdOf('ada@example.com', 'c1'))!.timeline.map((e) => e.status)).toEqual(['ringing', 'connected', 'hangup']);
      const hangup = (await requestsOf('c1')).at(-1)!;
      expect(hangup).toMatchObject({ kind: 'status', state: 'sent', outcome: 'presumed_applied', ambiguous: true });
      expect((await request(`${server.url}/admin/dead-letters`, { token: ADMIN_TOKEN })).body.deadLetters).toEqual([]);
    });

    it('a create Front applied but never answered is not created twice', { timeout: 30_000 }, async () => {
      const token = await createTeammate(server!.url, 'ada@example.com');
      standin.setFaults({ rate: 1, kinds: ['hangAfterApply'], operations: ['create'] });
      await request(`${server!.url}/v1/calls/events`, { method: 'POST', token, json: event(1, 'CALL_STARTED', { callId: 'c2', callType: 'outbound', participant: CUSTOMER }) });
      await waitFor(() => standin.call(frontIdOf('ada@example.com', 'c2')), 5_000, 'Front to create the call');
      await server!.kill();
      standin.setFaults({ rate: 0 });
      server = await spawnServer(env);
      await request(`${server.url}/v1/calls/events`, { method: 'POST', token, json: event(2, 'CALL_ENDED', { callId: 'c2', reason: 'noAnswer' }) });
      await drained(server.url);
      expect(standin.calls()).toHaveLength(1);
      expect(standin.call(frontIdOf('ada@example.com', 'c2'))!.timeline.map((e) => e.status)).toEqual(['ringing', 'missed']);
    });

    it('the residual window: a summary Front applied but never answered is sent again', { timeout: 30_000 }, async () => {
      const token = await createTeammate(server!.url, 'ada@example.com');
      await request(`${server!.url}/v1/calls/events`, { method: 'POST', token, json: event(1, 'CALL_STARTED', { callId: 'c3', callType: 'outbound', participant: CUSTOMER }) });
      await drained(server!.url);
      standin.setFaults({ rate: 1, kinds: ['hangAfterApply'], operations: ['summary'] });
      await request(`${server!.url}/v1/calls/summary`, { method: 'POST', token, json: { callId: 'c3', outcome: 'noAnswer' } });
      await waitFor(() => standin.call(frontIdOf('ada@example.com', 'c3'))!.summaries.length === 1, 5_000, 'Front to add the summary');
      await server!.kill();
      standin.setFaults({ rate: 0 });
      server = await spawnServer(env);
      await drained(server.url);
      // Front has no idempotency key and accepts a summary twice: documented in server/README.md.
      expect(standin.call(frontIdOf('ada@example.com', 'c3'))!.summaries).toHaveLength(2);
      expect((await requestsOf('c3')).find((r) => r.kind === 'summary')).toMatchObject({ ambiguous: true, outcome: 'accepted' });
    });
  });

  describe('SIGTERM', () => {
    it('stops cleanly and resumes where it stopped', { timeout: 30_000 }, async () => {
      const token = await createTeammate(server!.url, 'ada@example.com');
      standin.setFaults({ rate: 1, kinds: ['503'] });
      await request(`${server!.url}/v1/calls/events`, { method: 'POST', token, json: event(1, 'CALL_STARTED', { callId: 'c4', callType: 'inbound', participant: CUSTOMER }) });
      expect(await server!.stop()).toBe(0);
      standin.setFaults({ rate: 0 });
      server = await spawnServer(env);
      await drained(server.url);
      expect(standin.call(frontIdOf('ada@example.com', 'c4'))!.timeline.map((e) => e.status)).toEqual(['ringing']);
    });

    it('refuses to start without its configuration, naming what is missing and no secret', async () => {
      const { FRONT_APP_UID: _, ADMIN_TOKEN: __, ...partial } = env;
      const attempt = spawnServer(partial);
      await expect(attempt).rejects.toThrow(/FRONT_APP_UID is missing[\s\S]*ADMIN_TOKEN is missing/);
      await attempt.catch((error: Error) => expect(error.message).not.toContain(env.FRONT_APP_SECRET));
    });
  });
});
