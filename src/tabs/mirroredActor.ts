import type { AnyStateMachine, ContextFrom, EventFromLogic, Observer, SnapshotFrom, StateValue, Subscription } from 'xstate';
import type { TabHub } from './mirror';
import type { ProblemReporter } from './types';

/** What the owner publishes of its machine: enough to rebuild the snapshot anywhere, and JSON. */
export interface MirroredState<TMachine extends AnyStateMachine> {
  readonly value: StateValue;
  readonly context: ContextFrom<TMachine>;
}

/** The mirror of a snapshot. The context MUST be JSON-serializable (no actor refs, no functions). */
export function toMirroredState<TMachine extends AnyStateMachine>(snapshot: SnapshotFrom<TMachine>): MirroredState<TMachine> {
  const { value, context } = snapshot as unknown as { value: StateValue; context: ContextFrom<TMachine> };
  return { value, context };
}

/**
 * Owner side: publishes the running actor's state now and after every change. Returns the
 * unsubscribe; call it before the actor stops or the hub steps down.
 */
export function publishSnapshots<TMachine extends AnyStateMachine>(
  actor: { getSnapshot(): SnapshotFrom<TMachine>; subscribe(next: (snapshot: SnapshotFrom<TMachine>) => void): Subscription },
  hub: Pick<TabHub<MirroredState<TMachine>, unknown>, 'publish'>,
): () => void {
  let last: unknown = null;
  const publish = (snapshot: SnapshotFrom<TMachine>) => {
    // An event the machine ignores leaves the snapshot as it was: nothing new to tell.
    if (snapshot === last) return;
    last = snapshot;
    hub.publish(toMirroredState<TMachine>(snapshot));
  };
  publish(actor.getSnapshot());
  const subscription = actor.subscribe(publish);
  return () => subscription.unsubscribe();
}

/**
 * The part of an XState actor ref the UI uses (what `useSelector` needs: `getSnapshot` and
 * `subscribe`; plus `send`), over the hub's mirrored state. It fits every tab, the owner
 * included: the owner's own published state comes back through `hub.state`, and its `send` runs
 * the intent handler at once.
 */
export interface MirroredActor<TMachine extends AnyStateMachine> {
  /** The snapshot rebuilt from the latest mirrored state; the same object until that state changes. */
  getSnapshot(): SnapshotFrom<TMachine>;
  subscribe(observer: Observer<SnapshotFrom<TMachine>> | ((snapshot: SnapshotFrom<TMachine>) => void)): Subscription;
  /** Forwards the event to the owner as an intent. Refusals and time-outs go to `onProblem`. */
  send(event: EventFromLogic<TMachine>): void;
}

export interface MirroredActorOptions<TMachine extends AnyStateMachine> {
  /** Shown until the first state arrives, e.g. `toMirroredState(createActor(machine, { input }).getSnapshot())`. */
  readonly initial: MirroredState<TMachine>;
  readonly onProblem?: ProblemReporter;
}

export function createMirroredActor<TMachine extends AnyStateMachine>(
  machine: TMachine,
  hub: Pick<TabHub<MirroredState<TMachine>, EventFromLogic<TMachine>>, 'state' | 'sendIntent'>,
  { initial, onProblem }: MirroredActorOptions<TMachine>,
): MirroredActor<TMachine> {
  let source: MirroredState<TMachine> | null = null;
  let snapshot: SnapshotFrom<TMachine> | null = null;

  function getSnapshot(): SnapshotFrom<TMachine> {
    const mirrored = hub.state.getState() ?? initial;
    if (mirrored === source && snapshot) return snapshot;
    try {
      snapshot = machine.resolveState({ value: mirrored.value, context: mirrored.context }) as SnapshotFrom<TMachine>;
    } catch (error) {
      // A state value this machine does not have (another plugin version owns the phone).
      onProblem?.({ code: 'invalid_state', message: `The mirrored call state does not fit this tab's machine: ${error instanceof Error ? error.message : String(error)}` });
      snapshot ??= machine.resolveState({ value: initial.value, context: initial.context }) as SnapshotFrom<TMachine>;
    }
    source = mirrored;
    return snapshot!;
  }

  return {
    getSnapshot,
    subscribe(observerOrNext) {
      const observer = typeof observerOrNext === 'function' ? { next: observerOrNext } : observerOrNext;
      let last = getSnapshot();
      const unsubscribe = hub.state.subscribe(() => {
        const next = getSnapshot();
        if (next === last) return;
        last = next;
        observer.next?.(next);
      });
      return { unsubscribe };
    },
    send(event) {
      hub.sendIntent(event).catch((error: unknown) => {
        onProblem?.({ code: 'intent_failed', message: `${event.type}: ${error instanceof Error ? error.message : String(error)}` });
      });
    },
  };
}
