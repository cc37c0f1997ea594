import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTurnCredentials, turnRefreshDelayMs, turnRetryDelayMs } from '../../src/app/turnCredentials';
import { createLineManager } from '../../src/app/lineManager';
import { createDialer } from '../../src/app';
import type { SipAccount } from '../../src/telephony/sip';
import { createSwitchableLine } from '../../src/telephony/switchableLine';
import { FakeLine } from '../support/fakeLine';
import { FakeSipLine } from '../support/fakeSipLine';

const TOKEN = 'fst_teammate-token-123';
const SERVER = { url: 'https://calls.example.com', token: TOKEN };

type Reply = { status: number; body?: unknown } | Error;

function scriptedFetch(replies: Reply[]) {
  const requests: { url: string; init: RequestInit; at: number }[] = [];
  const fetch = vi.fn(async (url: string, init: RequestInit) => {
    requests.push({ url, init, at: Date.now() });
    const reply = replies.shift() ?? { status: 500 };
    if (reply instanceof Error) throw reply;
    return { status: reply.status, ok: reply.status >= 200 && reply.status < 300, json: async () => reply.body };
  });
  return { fetch, requests };
}

const credentials = (n: number, ttlSeconds = 20) => ({ urls: ['turn:turn.example.com:3478'], username: `${1000 + n}:ada@example.com`, credential: `cred-${n}`, ttlSeconds });

const stops: (() => void)[] = [];
afterEach(() => {
  stops.splice(0).forEach((stop) => stop());
  vi.useRealTimers();
});

describe('the refresh schedule', () => {
  it('fetches again at three quarters of the lifetime, and backs off 5 s doubling to 5 min after failures', () => {
    expect(turnRefreshDelayMs(86_400)).toBe(64_800_000);
    expect(turnRefreshDelayMs(20)).toBe(15_000);
    expect(turnRefreshDelayMs(1)).toBe(1000);
    expect([1, 2, 3, 4, 10].map(turnRetryDelayMs)).toEqual([5000, 10_000, 20_000, 40_000, 300_000]);
  });
});

describe('short-lived TURN credentials from the call-logging server', () => {
  it('fetches when started, hands them over as one ICE server, and again before they expire', async () => {
    vi.useFakeTimers();
    const { fetch, requests } = scriptedFetch([{ status: 200, body: credentials(1) }, { status: 200, body: credentials(2) }]);
    const received: RTCIceServer[][] = [];
    stops.push(startTurnCredentials({ server: () => SERVER, onServers: (s) => received.push(s), fetch }));
    await vi.advanceTimersByTimeAsync(0);
    expect(received).toEqual([[{ urls: ['turn:turn.example.com:3478'], username: '1001:ada@example.com', credential: 'cred-1' }]]);
    // The token in the Authorization header only.
    expect(requests[0]!.url).toBe('https://calls.example.com/v1/turn-credentials');
    expect(requests[0]!.init.headers).toEqual({ authorization: `Bearer ${TOKEN}` });
    await vi.advanceTimersByTimeAsync(14_999);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(requests).toHaveLength(2);
    expect(received.at(-1)?.[0]?.credential).toBe('cred-2');
  });

  it('keeps trying after network errors and 5xx with backoff, and stops for good on 401 or 404', async () => {
    vi.useFakeTimers();
    const problems: string[] = [];
    const { fetch, requests } = scriptedFetch([new TypeError('Failed to fetch'), { status: 503 }, { status: 200, body: credentials(1, 8) }, { status: 401 }]);
    const received: RTCIceServer[][] = [];
    stops.push(startTurnCredentials({ server: () => SERVER, onServers: (s) => received.push(s), onProblem: (m) => problems.push(m), fetch }));
    await vi.advanceTimersByTimeAsync(0);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(9999);
    expect(requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(requests).toHaveLength(3);
    expect(received).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(6000);
    expect(requests).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(requests).toHaveLength(4);
    expect(problems.at(-1)).toMatch(/refused the token/);
    expect(problems.join('\n')).not.toContain(TOKEN);
  });

  it('does nothing without a call-log server, refuses malformed answers, and stops when asked', async () => {
    vi.useFakeTimers();
    const none = scriptedFetch([]);
    stops.push(startTurnCredentials({ server: () => null, onServers: () => {}, fetch: none.fetch }));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(none.requests).toHaveLength(0);

    const bad = scriptedFetch([{ status: 200, body: { urls: ['https://x'], username: 'u', credential: 'c', ttlSeconds: 5 } }]);
    const received: RTCIceServer[][] = [];
    const stop = startTurnCredentials({ server: () => SERVER, onServers: (s) => received.push(s), fetch: bad.fetch });
    await vi.advanceTimersByTimeAsync(0);
    expect(received).toHaveLength(0);
    stop();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(bad.requests).toHaveLength(1);
  });
});

describe('the ICE servers of the SIP line', () => {
  const ACCOUNT: SipAccount = { websocketUrl: 'wss://sip.example.com/ws', sipUri: 'sip:1001@example.com', password: 's3cret-pass', iceServers: ['stun:stun.team.example:3478'] };
  const DEPLOYMENT: RTCIceServer[] = [{ urls: 'turn:relay.example.com:3478', username: 'static', credential: 'static-pass' }];

  it('are the deployment file, then the teammate STUN servers, then the server TURN credentials, refreshed for the next calls', async () => {
    const line = createSwitchableLine(new FakeLine());
    const dialer = createDialer({ line });
    dialer.start();
    stops.push(() => dialer.stop());
    const created: { iceServers: RTCIceServer[] }[] = [];
    const sipLines: FakeSipLine[] = [];
    let deliver: (servers: RTCIceServer[]) => void = () => {};
    let turnStopped = 0;
    const lines = createLineManager({
      line,
      dialer,
      simulated: () => new FakeLine(),
      createSip: async (_account, options) => {
        created.push({ iceServers: options.iceServers });
        const sip = new FakeSipLine();
        sipLines.push(sip);
        return sip;
      },
      turnCredentials: (onServers) => {
        deliver = onServers;
        return () => (turnStopped += 1);
      },
    });
    stops.push(() => lines.stop());
    lines.setDefaults({ iceServers: DEPLOYMENT });
    await lines.connect(ACCOUNT);
    expect(created[0]!.iceServers).toEqual([...DEPLOYMENT, { urls: ['stun:stun.team.example:3478'] }]);
    const turn = { urls: ['turn:turn.example.com:3478'], username: '1001:ada', credential: 'cred-1' };
    deliver([turn]);
    expect(sipLines[0]!.iceServerUpdates.at(-1)).toEqual([...DEPLOYMENT, { urls: ['stun:stun.team.example:3478'] }, turn]);
    lines.disconnect();
    expect(turnStopped).toBe(1);
  });
});
