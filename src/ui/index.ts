/** The dialer UI: React components that render the call machine's snapshot and send intents. */
export { Dialer, DEFAULT_TAG_OPTIONS, type DialerProps, type TagOption } from './Dialer';
export { FrontProvider, type FrontView, type TransferTeammate } from './frontContext';
export { DialerProvider, type DialerActor } from './dialerContext';
export type { SimulatorControls } from './SimulatedLinePanel';
export { LineProvider } from './lineContext';
export { CallLogProvider } from './callLogContext';
