/**
 * The screens nobody sees on the plugin's first render (a connected call, a warm transfer,
 * mandatory tagging, a call's summary, the other call's panel): one lazy chunk, fetched right after the first render (see LaterScreen.tsx), so
 * the first screen's JS stays small and these are there before any call needs them.
 */
export { EndedSummary } from './EndedSummary';
export { InCallControls } from './InCallControls';
export { MandatoryTagging } from './MandatoryTagging';
export { WarmTransfer } from './WarmTransfer';
export { WaitingCall } from './WaitingCall';
