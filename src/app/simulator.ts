import type { DeferredLine } from '../telephony/deferredLine';
import type { Line } from '../telephony/line';
import type { SwitchableLine } from '../telephony/switchableLine';
import { SIMULATED_CALLERS, TEST_NUMBERS, type TestNumberBehaviour } from '../telephony/simulated/catalog';
import type { SimulatedLine } from '../telephony/simulated/simulatedLine';
import type { SimulatorControls } from '../ui';

const TEST_NUMBER_LABELS: Record<TestNumberBehaviour, string> = {
  busy: 'Busy',
  noAnswer: 'No answer',
  rejects: 'Rejects the call',
  connectionLost: 'Answers, then the connection is lost',
  remoteHangup: 'Answers, then hangs up',
};

export function isSimulatedLine(line: Line): line is SimulatedLine {
  return line.kind === 'simulated' && typeof (line as Partial<SimulatedLine>).ringAgent === 'function';
}

/**
 * The line itself once loaded: the current line of a switchable one, a deferred line's
 * implementation, or the line as it is.
 */
export function loadedLine(line: Line): Promise<Line> {
  if ('current' in line) return loadedLine((line as SwitchableLine).current);
  return 'ready' in line ? (line as DeferredLine).ready : Promise.resolve(line);
}

/** The simulated line in use now, or null when the agent is on another line. */
export function currentSimulatedLine(line: Line): Promise<SimulatedLine | null> {
  return loadedLine(line).then((loaded) => (isSimulatedLine(loaded) ? loaded : null));
}

/**
 * The simulated line's panel controls, or null when the line is a real one. A deferred simulated
 * line works too: a ring asked for while it loads happens once it is there; `onError` hears
 * what the line refused.
 */
export function simulatorControls(line: Line, onError: (message: string) => void = () => {}): SimulatorControls | null {
  if (line.kind !== 'simulated' || !(isSimulatedLine(line) || 'ready' in line || 'current' in line)) return null;
  return panelControls(
    (from) =>
      currentSimulatedLine(line).then((loaded) => {
        if (!loaded) throw new Error('The plugin is not on the simulated line.');
        loaded.ringAgent({ from });
      }),
    onError,
  );
}

/**
 * The simulated line's panel controls for a tab that may not own the phone: the ring is a command
 * run by the owner's simulated line (refusals reach `onError`).
 */
export function simulatorControlsVia(
  command: (c: { type: 'PHONE.SIMULATOR'; command: 'ringAgent'; from?: string }) => Promise<void>,
  onError: (message: string) => void = () => {},
): SimulatorControls {
  return panelControls((from) => command({ type: 'PHONE.SIMULATOR', command: 'ringAgent', ...(from ? { from } : {}) }), onError);
}

/** The panel's callers and test numbers, with `ring` behind its Ring button. */
function panelControls(ring: (from: string) => Promise<void>, onError: (message: string) => void): SimulatorControls {
  return {
    callers: SIMULATED_CALLERS,
    testNumbers: (Object.keys(TEST_NUMBERS) as TestNumberBehaviour[]).map((key) => ({
      number: TEST_NUMBERS[key].number,
      label: TEST_NUMBER_LABELS[key],
    })),
    ringAgent: (from) => {
      ring(from).catch((error: unknown) => onError(error instanceof Error ? error.message : String(error)));
    },
  };
}
