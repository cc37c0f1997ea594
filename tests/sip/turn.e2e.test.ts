// @vitest-environment node
/**
 * TURN, end to end in the SIP lab: coturn (Debian's turnserver, `use-auth-secret` with a
 * static-auth-secret made at test time) and the call-logging server (TURN_SECRET, TURN_URLS, a
 * short TURN_TTL_SECONDS) run in the lab's network namespace beside Kamailio and Chromium. The
 * agent's SIP line fetches its TURN credentials from the server with the teammate's token, exactly
 * as the plugin does (src/app/turnCredentials.ts), and is forced to relay (iceTransportPolicy
 * "relay"): the call's audio flows through coturn. The credentials expire after 6 s; the line has
 * fetched fresh ones by then, and a call placed after the first ones expired still relays.
 *
 * Needs the SIP lab's prerequisites plus turnserver (coturn) and nsenter. SIP_E2E=0 skips it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Lab, labPrerequisites, repoRoot } from './lab/lab';
import { RemoteLine } from './lab/remoteLine';
import { expectTalking, sleep, until, waitForPartyCall, waitForStatus } from './lab/scenario';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

const AGENT = '1000';
const CUSTOMER = '2000';
const DOMAIN = '127.0.0.1';
const PASSWORD = 'lab-secret-Pa55word';
const TURN_PORT = 3478;
const TTL_SECONDS = 6;
const ADMIN_TOKEN = `admin-${randomBytes(12).toString('hex')}`;
// Made at test time, never written in the repository; it must never reach the page or a log.
const TURN_SECRET = randomBytes(24).toString('base64url');

const skipped = process.env.SIP_E2E === '0';
const missing = skipped ? [] : labPrerequisites();
if (!skipped && spawnSync('sh', ['-c', 'command -v turnserver && command -v nsenter']).status !== 0) missing.push('turnserver (apt-get install -y coturn) and nsenter');

let lab: Lab;
let wsUrl: string;
const children: ChildProcess[] = [];
let runDir = '';

/** Starts a process inside the lab's network namespace, in a process group of its own. */
function startInLab(command: string, args: string[], env: Record<string, string> = {}): { child: ChildProcess; output: () => string } {
  const child = spawn('nsenter', ['-t', String(lab.pid), '-n', command, ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return { child, output: () => out };
}

/** Runs a one-off Node script in the namespace and returns its stdout. */
function nodeInLab(script: string): string {
  const result = spawnSync('nsenter', ['-t', String(lab.pid), '-n', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 15_000 });
  if (result.status !== 0) throw new Error(`node in the lab failed: ${result.stderr}`);
  return result.stdout.trim();
}

describe.skipIf(skipped)('TURN credentials from the call-logging server, relayed by coturn, in the SIP lab', () => {
  if (missing.length > 0) {
    it('has what the SIP lab needs', () => {
      throw new Error(`The SIP end-to-end tests need: ${missing.join('; ')}. Set SIP_E2E=0 to skip them.`);
    });
    return;
  }

  let serverUrl = '';
  let token = '';
  let turnOutput = () => '';
  let serverOutput = () => '';
  let line: RemoteLine | undefined;

  beforeAll(async () => {
    runDir = mkdtempSync(join(tmpdir(), 'sip-turn-'));
    ({ lab, wsUrl } = await Lab.start());
    await Promise.all([lab.openPage('agent', 'tests/sip/pages/agent.html'), lab.openPage('customer', 'tests/sip/pages/party.html')]);
    await lab.call('customer', 'start', { wsUrl, uri: `sip:${CUSTOMER}@${DOMAIN}`, displayName: 'Maria Garcia' });

    const turn = startInLab('turnserver', [
      '-n',
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${TURN_PORT}`,
      '--min-port=49160',
      '--max-port=49260',
      '--use-auth-secret',
      `--static-auth-secret=${TURN_SECRET}`,
      '--realm=lab.test',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--fingerprint',
      // The customer's host candidates are on loopback too.
      '--allow-loopback-peers',
      `--userdb=${join(runDir, 'turndb')}`,
      `--pidfile=${join(runDir, 'turnserver.pid')}`,
      '--log-file=stdout',
      '--simple-log',
      '--verbose',
    ]);
    turnOutput = turn.output;

    const server = startInLab(process.execPath, ['--import', 'tsx', 'server/cli.ts'], {
      FRONT_APP_UID: 'app_lab',
      FRONT_APP_SECRET: randomBytes(16).toString('hex'),
      ADMIN_TOKEN,
      FRONT_API_BASE_URL: 'http://127.0.0.1:9',
      DATABASE_PATH: join(runDir, 'calls.sqlite'),
      LISTEN_HOST: '127.0.0.1',
      PORT: '0',
      CORS_ORIGINS: 'http://127.0.0.1:5199',
      TURN_SECRET,
      TURN_URLS: `turn:127.0.0.1:${TURN_PORT}?transport=udp`,
      TURN_TTL_SECONDS: String(TTL_SECONDS),
      LOG_LEVEL: 'debug',
    });
    serverOutput = server.output;
    serverUrl = await until('the call-logging server to listen', () => /"msg":"server listening","url":"([^"]+)"/.exec(server.output())?.[1], 30_000);
    await until('coturn to listen', () => /listener opened on|Total General servers/i.test(turn.output()) || undefined, 15_000).catch(() => undefined);
    token = nodeInLab(`
      const res = await fetch(${JSON.stringify(`${serverUrl}/admin/tokens`)}, { method: 'POST', headers: { authorization: 'Bearer ${ADMIN_TOKEN}', 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ada@example.com' }) });
      if (res.status !== 201) throw new Error('token refused: ' + res.status);
      console.log((await res.json()).token);
    `);
  });

  afterEach(async () => {
    line?.dispose();
    await line?.settled();
    line = undefined;
  });

  afterAll(async () => {
    for (const child of children) {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await lab?.stop();
    if (runDir) rmSync(runDir, { recursive: true, force: true });
  });

  async function relayedCall(callId: string): Promise<void> {
    await lab.call('customer', 'reset');
    await lab.call('customer', 'configure', { answerAfterMs: 200 });
    await line!.dial(callId, CUSTOMER);
    await waitForStatus(line!, callId, 'connected', 'regular', 20_000);
    try {
      await until('the relayed media path', async () => (await lab.call<{ state: string }[]>('agent', 'audio')).some((r) => r.state === 'connected'), 15_000);
      await expectTalking(lab, 'agent', 'customer');
    } catch (error) {
      console.log(`coturn said:\n${turnOutput().split('\n').slice(-40).join('\n')}`);
      console.log(`the agent page said: ${JSON.stringify(await lab.call('agent', 'log'))}`);
      throw error;
    }
    const [selected] = (await lab.call<{ pc: number; local: string | null; remote: string | null }[]>('agent', 'candidateTypes')).slice(-1);
    expect(selected?.local, 'the agent sends its audio through the TURN relay').toBe('relay');
    await line!.hangUp(callId);
    await waitForStatus(line!, callId, 'ended');
    await waitForPartyCall(lab, 'customer', 'the BYE to arrive', (c) => c.status === 'ended', 10_000);
  }

  it('relays a call with credentials fetched from the server, and another after the first credentials expired (refreshed)', async () => {
    // Relay only, and no ICE servers but the server's: without them the call would find no candidate.
    line = await RemoteLine.create(lab, 'agent', { websocketUrl: wsUrl, sipUri: `sip:${AGENT}@${DOMAIN}`, password: PASSWORD }, { iceTransportPolicy: 'relay' });
    await lab.call('agent', 'turn', serverUrl, token);
    const first = await until('TURN credentials', async () => (await lab.call<string[]>('agent', 'turnUsernames'))[0], 10_000);
    const firstExpiry = Number(first.split(':')[0]) * 1000;
    expect(first.split(':')[1]).toBe('ada@example.com');

    await relayedCall('turn-1');
    expect(turnOutput()).toMatch(/ada@example\.com/);

    // Past the first credentials' expiry: the line has fresh ones, and a new call relays with them.
    await sleep(Math.max(0, firstExpiry - Date.now() + 1500));
    const usernames = await lab.call<string[]>('agent', 'turnUsernames');
    expect(usernames.length).toBeGreaterThanOrEqual(2);
    expect(Number(usernames.at(-1)!.split(':')[0]) * 1000).toBeGreaterThan(Date.now());
    await relayedCall('turn-2');

    // The secret went nowhere but coturn and the server: not to the page, not to the server's log.
    const pageLog = JSON.stringify(await lab.call('agent', 'log'));
    expect(pageLog).not.toContain(TURN_SECRET);
    expect(serverOutput()).toContain('turn credentials issued');
    expect(serverOutput()).not.toContain(TURN_SECRET);
  });

  it('a relay-only call with no usable TURN credentials finds no candidate and fails within seconds with the reason', async () => {
    line = await RemoteLine.create(lab, 'agent', { websocketUrl: wsUrl, sipUri: `sip:${AGENT}@${DOMAIN}`, password: PASSWORD }, {
      iceTransportPolicy: 'relay',
      // Credentials coturn refuses (not signed with its secret): no relay candidate can be made.
      iceServers: [{ urls: `turn:127.0.0.1:${TURN_PORT}?transport=udp`, username: `${Math.floor(Date.now() / 1000) + 600}:ada@example.com`, credential: 'bm90LXRoZS1yaWdodC1vbmU=' }],
    });
    await lab.call('customer', 'reset');
    const started = Date.now();
    await line.dial('turn-none-1', CUSTOMER);
    await waitForStatus(line, 'turn-none-1', 'ended', 'regular', 20_000);
    console.log(`[no candidate] the call ended ${Date.now() - started} ms after Call`);
    expect(line.timeline.map((t) => t.event).filter((e) => e.type === 'DIALER.CALL_STATUS').at(-1)).toMatchObject({ payload: { status: 'ended', reason: 'connectionLost' } });
    const log = (await lab.call<{ message: string }[]>('agent', 'log')).map((e) => e.message);
    expect(log.some((m) => /no network path for the audio/.test(m))).toBe(true);
  });
});
