// @vitest-environment node
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../../server';
import type { Standin } from '../../server/standin/standin';
import { createCallReporter, memoryReportStore } from '../../src/calllog';
import { ev } from '../support/fakeLine';
import { startDialer } from '../support/machineHarness';
import { CHANNEL_ID, createTeammate, frontIdOf, startInProcess, startTestStandin, tempDir, waitFor } from '../server/support';

let standin: Standin;
let server: RunningServer;
let token: string;
const dir = tempDir('calllog-');

beforeAll(async () => {
  standin = await startTestStandin();
  server = await startInProcess(dir.path, standin.url);
  await standin.authorize(server.url, CHANNEL_ID);
  token = await createTeammate(server.url, 'ada@example.com');
}, 30_000);

afterAll(async () => {
  await server?.close();
  await standin?.close();
  dir.remove();
});

it('a simulated call reported by the plugin lands in Front (the stand-in), with its summary', async () => {
  const dialer = startDialer();
  const problems: string[] = [];
  const reporter = createCallReporter({
    dialer: dialer.actor,
    settings: () => ({ url: server.url, token }),
    db: memoryReportStore(),
    onProblem: (p) => problems.push(p.message),
  });
  const callId = dialer.connectInbound('in-int-1', '+14155550123', 'Maria Garcia');
  dialer.line.emit(ev.sync(callId, { onHold: true }));
  dialer.line.emit(ev.sync(callId, { onHold: false, duration: 75 }));
  dialer.line.emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
  dialer.send({ type: 'AGENT.SAVE_TAGS', tags: ['Sales'] });
  dialer.send({ type: 'AGENT.RESET' });

  await waitFor(() => reporter.status(callId)?.kind === 'logged', 10_000, 'the call to be logged');
  const call = await waitFor(() => {
    const c = standin.call(frontIdOf('ada@example.com', callId));
    return c && c.summaries.length > 0 ? c : null;
  }, 10_000, 'the call and its summary in Front').catch((e) => {
    console.log(JSON.stringify(standin.calls()), JSON.stringify(standin.requests().slice(-10)));
    throw e;
  });
  expect(call.timeline.map((e) => e.status)).toEqual(['ringing', 'connected', 'hold', 'connected', 'hangup']);
  expect(call.summaries[0]!.content).toContain('Tags: Sales');
  expect(reporter.status(callId)).toEqual({ kind: 'logged' });
  expect(problems).toEqual([]);
  reporter.stop();
  dialer.actor.stop();
}, 30_000);
