import { delegateLine, runLineCommand, type Line, type LineCapabilities } from './line';
import type { LineEvent } from './protocol';

/** A line whose implementation can be replaced between calls (simulated <-> SIP). */
export interface SwitchableLine extends Line {
  readonly current: Line;
  /**
   * Makes `line` the line: its events are delivered from now on and the previous line's never
   * again. Returns the previous line, which the caller disposes. The caller MUST only switch when
   * no call is in progress (the call machine would lose its call).
   */
  use(line: Line): Line;
}

/**
 * The port over whichever line the agent chose. Commands go to the current line; listeners hear
 * only the current line, so a call on a line that was switched away can never reach the machine.
 */
export function createSwitchableLine(initial: Line): SwitchableLine {
  const listeners = new Set<(event: LineEvent) => void>();
  let current = initial;
  const forward = (event: LineEvent) => {
    for (const listener of [...listeners]) listener(event);
  };
  let unsubscribe = current.subscribe(forward);

  return {
    get kind() {
      return current.kind;
    },
    get capabilities(): LineCapabilities {
      return current.capabilities;
    },
    get current() {
      return current;
    },
    use(line) {
      const previous = current;
      unsubscribe();
      current = line;
      unsubscribe = current.subscribe(forward);
      return previous;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ...delegateLine((command) => runLineCommand(current, command)),
    dispose() {
      unsubscribe();
      listeners.clear();
      current.dispose();
    },
  };
}
