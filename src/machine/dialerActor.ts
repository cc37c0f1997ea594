import { createActor, type ActorOptions, type InspectionEvent } from 'xstate';
import type { DialerMachine } from './dialerMachine';
import type { Unhandled } from './types';

/**
 * Creates the dialer actor from the machine (with its line provided). Every event no state takes
 * comes back to the machine as MACHINE.UNHANDLED, which reports it on the diagnostics channel: the
 * machine has no catch-all transition, so `snapshot.can(event)` stays exactly what it accepts.
 *
 * A state refuses an event its parent takes with an empty transition (`'AGENT.HANG_UP': {}`):
 * that counts as not taken. A guarded transition without actions (an expected duplicate from the
 * line, say) takes the event and does nothing, silently.
 */
export function createDialerActor(machine: DialerMachine, options: ActorOptions<DialerMachine> & { input: ActorOptions<DialerMachine>['input'] }) {
  let actor: ReturnType<typeof createActor<DialerMachine>> | undefined;
  const outer = options.inspect;
  const forward = typeof outer === 'function' ? outer : outer?.next?.bind(outer);
  const inspect = (inspection: InspectionEvent) => {
    forward?.(inspection);
    if (inspection.type !== '@xstate.microstep' || actor === undefined || inspection.actorRef !== actor) return;
    const { event } = inspection;
    if (event.type.startsWith('xstate.') || event.type === 'MACHINE.UNHANDLED') return;
    if (inspection._transitions.some((t) => t.target !== undefined || t.actions.length > 0 || t.guard !== undefined)) return;
    actor.send({ type: 'MACHINE.UNHANDLED', event: event as Unhandled['event'] });
  };
  actor = createActor(machine, { ...options, inspect });
  return actor;
}
