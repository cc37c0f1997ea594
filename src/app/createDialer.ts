import { createDialerActor, dialerMachine, type DialerSettings } from '../machine';
import { lineBridge, type Line } from '../telephony';

export interface CreateDialerOptions {
  readonly line: Line;
  readonly settings?: Partial<DialerSettings>;
}

/**
 * The call machine wired to a line: the machine's `line` actor is the bridge over this line.
 * Returned unstarted, so the caller can listen to emitted events before the first one.
 */
export function createDialer({ line, settings }: CreateDialerOptions) {
  return createDialerActor(dialerMachine.provide({ actors: { line: lineBridge(line) } }), {
    input: { capabilities: line.capabilities, ...(settings ? { settings } : {}) },
  });
}

export type DialerActorInstance = ReturnType<typeof createDialer>;
