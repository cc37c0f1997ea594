/** The simulated line: a whole phone network in the browser, for the demo, development and tests. */
export {
  createSimulatedLine,
  SIMULATED_CALLERS,
  TEST_NUMBERS,
  type IncomingCallOptions,
  type SimulatedCallState,
  type SimulatedLine,
  type SimulatedLineOptions,
  type TestNumberBehaviour,
} from './simulatedLine';
export { SIMULATOR_MESSAGE_SOURCE, listenForSimulatorMessages, type SimulatorMessage } from './remoteControl';
export { SIMULATED_CAPABILITIES } from './catalog';
