import { Actor, type ActorOptions } from 'xstate';
import type { DialerMachine } from './dialerMachine';
import type { DialerEvent } from './types';

/**
 * The running dialer. An agent intent the machine does not accept now (`snapshot.can` is false)
 * is not sent as such: it goes in as MACHINE.UNHANDLED, which the machine reports on the
 * diagnostics channel (and explains to the agent when it should). The machine has no catch-all
 * for intents, so `can` stays exactly what it accepts; the line's events, which never reach
 * `send`, have theirs in the machine (`DIALER.*`).
 */
export class DialerActor extends Actor<DialerMachine> {
  override send(event: DialerEvent): void {
    if (event.type.startsWith('AGENT.') && !this.getSnapshot().can(event)) {
      super.send({ type: 'MACHINE.UNHANDLED', event: event as Extract<DialerEvent, { type: `AGENT.${string}` }> });
      return;
    }
    super.send(event);
  }
}

/** Creates the dialer actor from the machine (with its line provided); start it after listening. */
export function createDialerActor(machine: DialerMachine, options: ActorOptions<DialerMachine>): DialerActor {
  return new DialerActor(machine, options);
}
