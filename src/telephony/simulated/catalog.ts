/**
 * What the simulated network offers, without the network itself: its capabilities
 * (./capabilities.ts, at start-up), its test numbers and its callers (with the simulator's panel,
 * where the deployment offers the simulated line); the network in simulatedLine.ts loads lazily.
 */
import type { Participant } from '../protocol';

export { SIMULATED_CAPABILITIES } from './capabilities';

/**
 * Numbers with a scripted outcome. Any other valid number rings for `ringMs`, then answers.
 *
 * | number         | as a dialled number                                      | as a warm-transfer target          |
 * | -------------- | -------------------------------------------------------- | ---------------------------------- |
 * | +15005550001   | busy: `connecting`, then `ended` `busy` after connectMs  | `transferDeclined` after connectMs |
 * | +15005550002   | rings for noAnswerMs, then `ended` `noAnswer`            | `transferNoAnswer` after noAnswerMs |
 * | +15005550003   | rings for ringMs, then `ended` `rejected`                | `transferDeclined` after transferRingMs |
 * | +15005550004   | answers, connection lost lossAfterMs later (`connectionLost`) | answers, leaves lossAfterMs later (`transferTargetLeft`) |
 * | +15005550005   | answers, hangs up lossAfterMs later (`hanging` + `ended` `remoteHangup`) | answers, leaves lossAfterMs later (`transferTargetLeft`) |
 *
 * An incoming caller with the number ...0004 or ...0005 drops or hangs up the same way once
 * answered.
 */
export const TEST_NUMBERS = {
  busy: { number: '+15005550001', description: 'Busy: the call ends with reason busy.' },
  noAnswer: { number: '+15005550002', description: 'Rings until nobody answers: the call ends with reason noAnswer.' },
  rejects: { number: '+15005550003', description: 'Rings, then rejects the call.' },
  connectionLost: { number: '+15005550004', description: 'Answers, then the connection is lost a few seconds later.' },
  remoteHangup: { number: '+15005550005', description: 'Answers, then hangs up a few seconds later.' },
} as const;

/** The scripted behaviour of a test number, by key of {@link TEST_NUMBERS}. */
export type TestNumberBehaviour = keyof typeof TEST_NUMBERS;

/** Callers `ringAgent()` picks from, in turn, when no caller is given. */
export const SIMULATED_CALLERS: readonly Participant[] = [
  { number: '+14155550123', name: 'Maria Garcia' },
  { number: '+81312345678', name: 'Kenji Tanaka' },
  { number: '+442079460958', name: 'Amelia Hughes' },
  { number: '+12125550199' },
];

