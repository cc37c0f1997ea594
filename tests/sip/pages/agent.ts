/**
 * The agent's page in the SIP lab: the real SIP line (src/telephony/sip, bundled by Vite as the
 * app bundles it) registered to Kamailio, driven from Node through `window.lab`. Every line event
 * and registration change is reported to Node with the page's clock (`at`, ms since the epoch).
 */
import { audio, clockOffset, descriptions, emit, micTone, gatherRelay, hearing, playing, peerConnections, rtpTonesSent, selectedCandidates, takePhases } from './media';
import { startTurnCredentials } from '../../../src/app/turnCredentials';
import { LineError } from '../../../src/telephony/line';
import { createSipLine, type SipAccount, type SipLine, type SipLineOptions, type SipLogEntry } from '../../../src/telephony/sip';

let line: SipLine | null = null;
const log: SipLogEntry[] = [];
let stopTurn = () => {};
/** The TURN credentials the line was given, oldest first (usernames only: they carry the expiry). */
const turnUsernames: string[] = [];

function now(): number {
  return performance.timeOrigin + performance.now();
}

function ready(): SipLine {
  if (!line) throw new Error('No line: call lab.create() first.');
  return line;
}

window.lab = {
  async create(account: SipAccount, options: SipLineOptions = {}) {
    line?.dispose();
    log.length = 0;
    line = await createSipLine(account, { ...options, logger: (entry) => log.push(entry) });
    line.subscribe((event) => emit({ kind: 'line', event, at: now() }));
    line.registration.subscribe((state) => emit({ kind: 'registration', state, at: now() }));
    return line.registration.getState();
  },
  /** Runs a line command; resolves with its outcome instead of throwing, so Node can rebuild the LineError. */
  async run(method: string, args: unknown[]) {
    const target = ready() as unknown as Record<string, (...a: unknown[]) => Promise<void>>;
    const command = target[method];
    if (typeof command !== 'function') return { ok: false, code: 'unsupported', message: `The line has no ${method}().` };
    const sentAt = now();
    try {
      await command.apply(line, args);
      return { ok: true, sentAt };
    } catch (error) {
      if (error instanceof LineError) return { ok: false, code: error.code, message: error.message };
      return { ok: false, code: 'unknown', message: String(error) };
    }
  },
  registration() {
    return ready().registration.getState();
  },
  /** Fetches TURN credentials from the call-logging server as the plugin does, and keeps them fresh. */
  turn(serverUrl: string, token: string) {
    stopTurn();
    stopTurn = startTurnCredentials({
      server: () => ({ url: serverUrl, token }),
      onServers: (servers) => {
        turnUsernames.push(...servers.map((s) => s.username ?? ''));
        ready().setIceServers(servers);
      },
      onProblem: (message) => log.push({ level: 'warn', message }),
    });
  },
  turnUsernames() {
    return turnUsernames.slice();
  },
  /** Per open peer connection: the ICE ufrag of the local and the remote description (an ICE restart changes both). */
  iceUfrags() {
    const ufrag = (sdp: string | undefined) => (sdp ? (/a=ice-ufrag:(\S+)/.exec(sdp)?.[1] ?? null) : null);
    return peerConnections()
      .map((pc, index) => ({ pc: index, state: pc.connectionState, local: ufrag(pc.localDescription?.sdp), remote: ufrag(pc.remoteDescription?.sdp) }))
      .filter((entry) => entry.state !== 'closed');
  },
  /** Per open peer connection: the local and remote candidate types of the selected pair. */
  async candidateTypes() {
    const result: { pc: number; local: string | null; remote: string | null }[] = [];
    for (const [index, pc] of peerConnections().entries()) {
      if (pc.connectionState === 'closed') continue;
      const stats = new Map<string, any>();
      (await pc.getStats()).forEach((s: any) => stats.set(s.id, s));
      const transport = [...stats.values()].find((s) => s.type === 'transport');
      const pair = stats.get(transport?.selectedCandidatePairId) ?? [...stats.values()].find((s) => s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded');
      result.push({ pc: index, local: stats.get(pair?.localCandidateId)?.candidateType ?? null, remote: stats.get(pair?.remoteCandidateId)?.candidateType ?? null });
    }
    return result;
  },
  capabilities() {
    return ready().capabilities;
  },
  dispose() {
    stopTurn();
    line?.dispose();
  },
  log() {
    return log.slice();
  },
  audio,
  hearing,
  micTone,
  playing,
  selectedCandidates,
  descriptions,
  gatherRelay,
  rtpTonesSent,
  clockOffset,
  takePhases,
  now,
};
