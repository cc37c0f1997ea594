/**
 * The agent's page in the SIP lab: the real SIP line (src/telephony/sip, bundled by Vite as the
 * app bundles it) registered to Kamailio, driven from Node through `window.lab`. Every line event
 * and registration change is reported to Node with the page's clock (`at`, ms since the epoch).
 */
import { audio, clockOffset, descriptions, emit, gatherRelay, hearing, rtpTonesSent, selectedCandidates, takePhases } from './media';
import { LineError } from '../../../src/telephony/line';
import { createSipLine, type SipAccount, type SipLine, type SipLineOptions, type SipLogEntry } from '../../../src/telephony/sip';

let line: SipLine | null = null;
const log: SipLogEntry[] = [];

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
  capabilities() {
    return ready().capabilities;
  },
  dispose() {
    line?.dispose();
  },
  log() {
    return log.slice();
  },
  audio,
  hearing,
  selectedCandidates,
  descriptions,
  gatherRelay,
  rtpTonesSent,
  clockOffset,
  takePhases,
  now,
};
