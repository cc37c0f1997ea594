import type { AnyStateMachine, AnyStateNode, StateValue } from 'xstate';

/**
 * Which states a machine has, read from its definition rather than from a list in a test, and a
 * counter of the ones a test reached. A test that asserts "every state was visited" keeps meaning
 * that when states are added, renamed or nested under a new parent.
 *
 * States are named by their dotted path below the root: `"idle"`, `"ringing.inbound"`.
 */

function childrenOf(node: AnyStateNode): AnyStateNode[] {
  return Object.values(node.states ?? {}).filter((child) => child.type !== 'history');
}

/** Every leaf (atomic or final) state of the machine, in definition order. */
export function leafStates(machine: AnyStateMachine): string[] {
  const leaves: string[] = [];
  const walk = (node: AnyStateNode) => {
    const children = childrenOf(node);
    if (children.length === 0) {
      if (node !== machine.root) leaves.push(node.path.join('.'));
      return;
    }
    for (const child of children) walk(child);
  };
  walk(machine.root);
  return leaves;
}

/**
 * Leaves with an unguarded eventless (`always`) transition: routing states the machine passes
 * through inside one macrostep and never rests in. A snapshot never shows them; only the
 * machine's microsteps do.
 */
export function transientStates(machine: AnyStateMachine): Set<string> {
  const transient = new Set<string>();
  const walk = (node: AnyStateNode) => {
    const children = childrenOf(node);
    if (children.length === 0 && node !== machine.root && (node.always ?? []).some((t) => t.guard === undefined)) {
      transient.add(node.path.join('.'));
    }
    for (const child of children) walk(child);
  };
  walk(machine.root);
  return transient;
}

/** The leaf paths a state value is in: one, or one per region of a parallel state. */
export function leavesOf(value: StateValue, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix + value];
  return Object.entries(value).flatMap(([key, sub]) => (sub === undefined ? [prefix + key] : leavesOf(sub as StateValue, `${prefix}${key}.`)));
}

/** Counts entries into each leaf state; knows the full list, so it can say what was never reached. */
export class StateVisits {
  readonly counts: Map<string, number>;
  private current: string[] = [];

  constructor(readonly states: readonly string[]) {
    this.counts = new Map(states.map((s) => [s, 0]));
  }

  /** The machine is now in `value` (after a microstep): counts the leaves it just entered. */
  observe(value: StateValue): void {
    const now = leavesOf(value);
    for (const leaf of now) {
      if (!this.current.includes(leaf)) this.counts.set(leaf, (this.counts.get(leaf) ?? 0) + 1);
    }
    this.current = now;
  }

  /** A new actor starts: whatever it is in counts as entered. */
  restart(value: StateValue): void {
    this.current = [];
    this.observe(value);
  }

  /** Leaves the machine defines that were never entered. */
  unvisited(): string[] {
    return this.states.filter((s) => (this.counts.get(s) ?? 0) === 0);
  }
}
