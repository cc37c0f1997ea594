import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NO_LINE_MESSAGE, SIMULATED_CALLS_NOT_LOGGED, simulatedLineIfOffered, skipSimulatedCalls } from '../../src/app/demo';
import { ev } from '../support/fakeLine';
import { flush, startReporting } from '../calllog/support';

// Counts the imports of the simulated network (this file imports it only dynamically, after the
// first test, so the first test sees whether demo.ts imported it).
const imports = vi.hoisted(() => ({ simulated: 0 }));
vi.mock('../../src/telephony/simulated/simulatedLine', async (importOriginal) => {
  imports.simulated += 1;
  return importOriginal();
});

describe('demo stays demo: the simulated line only where the deployment offers it', () => {
  // Proved: making simulatedLineIfOffered load the line whatever `offered` says makes this fail.
  it('not offered: the simulated network is never imported and every command says there is no line yet', async () => {
    const line = simulatedLineIfOffered(Promise.resolve(false))();
    await expect(line.dial('call-1', '+14155550100')).rejects.toThrow(NO_LINE_MESSAGE);
    await flush();
    expect(imports.simulated).toBe(0);
    line.dispose();
  });

  it('offered: the simulated network loads and calls go out', async () => {
    const line = simulatedLineIfOffered(Promise.resolve(true))();
    const events: unknown[] = [];
    line.subscribe((event) => events.push(event));
    await line.dial('call-1', '+14155550100');
    await flush();
    expect(imports.simulated).toBe(1);
    expect(events.length).toBeGreaterThan(0);
    line.dispose();
  });

  it('simulated call ids are unique across page loads (two lines, as two loads make)', async () => {
    const { createSimulatedLine } = await import('../../src/telephony/simulated/simulatedLine');
    const first = createSimulatedLine();
    const second = createSimulatedLine();
    const a = first.ringAgent({ from: '+14155550123' });
    const b = second.ringAgent({ from: '+14155550123' });
    expect(a).not.toBe(b);
    first.dispose();
    second.dispose();
  });
});

describe('demo stays demo: simulated calls are logged to Front only in a demo deployment', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('the rule: simulated outside a demo is skipped; a demo or a SIP line is logged', () => {
    expect(skipSimulatedCalls(() => false, () => 'simulated')()).toBe(SIMULATED_CALLS_NOT_LOGGED);
    expect(skipSimulatedCalls(() => true, () => 'simulated')()).toBeNull();
    expect(skipSimulatedCalls(() => false, () => 'sip')()).toBeNull();
  });

  // Proved: dropping `options.skipCall?.(...)` in src/calllog/index.ts makes this fail.
  it('a call on the simulated line outside a demo sends nothing to the call log and says why', async () => {
    const { dialer, server, reporter } = startReporting({ skipCall: skipSimulatedCalls(() => false, () => 'simulated') });
    const callId = dialer.connectInbound('in-1', '+14155550123', 'Maria Garcia');
    await flush();
    dialer.line.emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
    dialer.send({ type: 'AGENT.RESET' });
    await flush();
    expect(server.requests).toEqual([]);
    expect(reporter.status(callId)).toEqual({ kind: 'skipped', reason: SIMULATED_CALLS_NOT_LOGGED });
  });

  it('in a demo deployment the same call is logged', async () => {
    const { dialer, server } = startReporting({ skipCall: skipSimulatedCalls(() => true, () => 'simulated') });
    const callId = dialer.connectInbound('in-1', '+14155550123', 'Maria Garcia');
    await flush();
    dialer.line.emit(ev.status(callId, 'ended', 'regular', 'remoteHangup'));
    await flush();
    expect(server.sent()).toEqual(['CALL_STARTED', 'CALL_CONNECTED', 'CALL_ENDED']);
  });
});
