import { describe, expect, it, vi } from 'vitest';
import { CONTACT_LOOKUP_PATH, startContactNames } from '../../src/app/contactNames';
import { ev } from '../support/fakeLine';
import { startDialer } from '../support/machineHarness';

const SERVER = { url: 'https://calls.example.com', token: 'fst_teammate-token-123' };

function deferredFetch() {
  const calls: Array<{ url: string; init: RequestInit; answer: (status: number, body?: unknown) => void }> = [];
  const fetch = vi.fn(
    (url: string, init: RequestInit) =>
      new Promise<Pick<Response, 'status' | 'ok' | 'json'>>((resolve) => {
        calls.push({ url, init, answer: (status, body) => resolve({ status, ok: status >= 200 && status < 300, json: async () => body }) });
      }),
  );
  return { fetch, calls };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("callers' names from Front's contacts (owner)", () => {
  it('rings at once, asks the server once, and names the call when the answer comes, without raising the ring again', async () => {
    const d = startDialer();
    const { fetch, calls } = deferredFetch();
    const stop = startContactNames({ dialer: d.actor, server: () => SERVER, fetch });

    d.line.emit(ev.incoming('in-1', '+12125550199'));
    d.line.emit(ev.status('in-1', 'ringing'));
    // The ring is on screen while the lookup is still unanswered.
    expect(d.status().status).toBe('ringing');
    expect(d.context().call?.remote).toEqual({ number: '+12125550199' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe(`https://calls.example.com${CONTACT_LOOKUP_PATH}?phone=%2B12125550199`);
    expect(calls[0]!.url).not.toContain(SERVER.token);
    expect(calls[0]!.init.headers).toEqual({ authorization: `Bearer ${SERVER.token}` });
    const before = d.telephony();

    calls[0]!.answer(200, { name: 'Priya Raman' });
    await flush();
    expect(d.context().call?.remote).toEqual({ number: '+12125550199', name: 'Priya Raman' });
    expect(d.status().status).toBe('ringing');
    expect(d.telephony()).toEqual(before);
    expect(fetch).toHaveBeenCalledTimes(1);
    stop();
  });

  it('does not ask for a call that has a name, an outbound call, or without a configured server', async () => {
    const { fetch, calls } = deferredFetch();
    const d = startDialer();
    const stop = startContactNames({ dialer: d.actor, server: () => SERVER, fetch });
    d.line.emit(ev.incoming('in-1', '+14155550123', 'Maria Garcia'));
    d.line.emit(ev.status('in-1', 'ringing'));
    d.line.emit(ev.status('in-1', 'ended', 'regular', 'remoteHangup'));
    d.send({ type: 'AGENT.RESET' });
    d.connectOutbound('+14155550100');
    expect(calls).toHaveLength(0);
    stop();

    const e = startDialer();
    const stopE = startContactNames({ dialer: e.actor, server: () => null, fetch });
    e.line.emit(ev.incoming('in-2', '+12125550199'));
    e.line.emit(ev.status('in-2', 'ringing'));
    expect(calls).toHaveLength(0);
    stopE();
  });

  it('leaves the number when the server has no name', async () => {
    const d = startDialer();
    const { fetch, calls } = deferredFetch();
    const stop = startContactNames({ dialer: d.actor, server: () => SERVER, fetch });
    d.line.emit(ev.incoming('in-1', '+14155557777'));
    d.line.emit(ev.status('in-1', 'ringing'));
    calls[0]!.answer(404, { error: { code: 'contact_not_found' } });
    await flush();
    expect(d.context().call?.remote).toEqual({ number: '+14155557777' });
    stop();
  });

  it('a name that arrives after the call ended names nothing', async () => {
    const d = startDialer();
    const { fetch, calls } = deferredFetch();
    const stop = startContactNames({ dialer: d.actor, server: () => SERVER, fetch });
    d.line.emit(ev.incoming('in-1', '+12125550199'));
    d.line.emit(ev.status('in-1', 'ringing'));
    d.line.emit(ev.status('in-1', 'ended', 'regular', 'remoteHangup'));
    d.line.emit(ev.incoming('in-2', '+14155550100'));
    d.line.emit(ev.status('in-2', 'ringing'));
    calls[0]!.answer(200, { name: 'Priya Raman' });
    await flush();
    expect(d.context().call?.callId).toBe('in-2');
    expect(d.context().call?.remote.name).toBeUndefined();
    stop();
  });
});
