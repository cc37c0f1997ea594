export { dialerMachine, type DialerMachine } from './dialerMachine';
export * from './selectors';
export * from './types';
export { parseDialInput, isDtmf, isValidTagList } from './dialInput';
export { createDialerActor, DialerActor } from './dialerActor';
