/** The Front stand-in's public API (tests, the local Front workspace demo). See server/README.md. */
export { startStandin, type Standin, type StandinOptions, type StandinCall, type FaultConfig, type FaultKind, type AppliedEvent } from './standin';
export { authorizeChannel, sendAsFront } from './frontClient';
