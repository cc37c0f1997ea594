// @vitest-environment node
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCallReporter, memoryReportStore } from '../../src/calllog';
import { startDialer } from '../support/machineHarness';

// The call log sends the teammate's token in the Authorization header of every report. A server
// (or anything in front of it) that answers with a redirect must not get the report, and the
// token, delivered somewhere else: the plugin treats the redirect as a failure and retries.

const TOKEN = 'fst_redirect-test-token-0123456789';
const seen: Array<{ path: string; authorization: string | undefined }> = [];
let server: http.Server;
let url = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    req.resume();
    req.on('end', () => {
      if (req.url?.startsWith('/v1/')) return res.writeHead(307, { location: `/elsewhere${req.url}` }).end();
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"accepted"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

// Proved: `redirect: 'error'` changed to 'follow' in src/calllog/outbox.ts makes this fail (2026-12-02).
it('a report answered with a redirect is not followed: the token reaches no other URL and the call is not logged', async () => {
  const dialer = startDialer();
  const reporter = createCallReporter({ dialer: dialer.actor, settings: () => ({ url, token: TOKEN }), db: memoryReportStore(), random: () => 0.5, onProblem: () => {} });
  const callId = dialer.connectOutbound('+14155550199');
  const end = Date.now() + 5_000;
  while (!seen.some((r) => r.path.startsWith('/v1/')) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 200));
  expect(seen.some((r) => r.path.startsWith('/v1/calls/events'))).toBe(true);
  expect(seen.filter((r) => !r.path.startsWith('/v1/'))).toEqual([]);
  expect(reporter.status(callId)).toMatchObject({ kind: 'pending' });
  reporter.stop();
  dialer.actor.stop();
});
