/**
 * Demo stays demo: whether the deployment offers the simulated line (deployment config
 * `simulatedLine`) and whether its calls are logged to Front (`demo`). Where the simulated line is
 * not offered, its module (the simulated network) is never imported, nor its panel (the Dialer
 * loads it only when given simulator controls), and the phone waits for a SIP account: every
 * command is refused with {@link NO_LINE_MESSAGE}.
 */
import { deferLine } from '../telephony/deferredLine';
import { LineError, type Line } from '../telephony/line';
import { SIMULATED_CAPABILITIES } from '../telephony/simulated/capabilities';

export const NO_LINE_MESSAGE = 'No phone line yet: connect a SIP account in Settings.';

export const SIMULATED_CALLS_NOT_LOGGED = 'calls on the simulated line are logged to Front only in a demo deployment';

const loadSimulatedLine = (): Promise<Line> =>
  import('../telephony/simulated/simulatedLine').then(({ createSimulatedLine }) => createSimulatedLine());

/**
 * Loads the simulated network where `offered` resolves true; otherwise rejects with
 * {@link NO_LINE_MESSAGE} (for a deferred line: every command is then refused with it).
 */
export function loadSimulatedLineIfOffered(offered: Promise<boolean>, load: () => Promise<Line> = loadSimulatedLine): Promise<Line> {
  return offered.then((yes) => (yes ? load() : Promise.reject(new LineError('not_ready', NO_LINE_MESSAGE))));
}

/**
 * Makes the line the phone starts on (and goes back to after Disconnect): the simulated network
 * when `offered` resolves true, else a line that refuses every command with a message. Usable at
 * once either way (commands wait for the answer).
 */
export function simulatedLineIfOffered(offered: Promise<boolean>, load: () => Promise<Line> = loadSimulatedLine): () => Line {
  return () =>
    deferLine('simulated', SIMULATED_CAPABILITIES, () => loadSimulatedLineIfOffered(offered, load));
}

/**
 * For the call log: a call on the simulated line is not logged unless the deployment is a demo
 * (the local Front workspace), so test calls never land in real customer conversations.
 * `demo` is read as each call starts; until the config is known it counts as not a demo.
 */
export function skipSimulatedCalls(demo: () => boolean, lineKind: () => Line['kind']): () => string | null {
  return () => (lineKind() === 'simulated' && !demo() ? SIMULATED_CALLS_NOT_LOGGED : null);
}
