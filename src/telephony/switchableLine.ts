import { runLineCommand, type Line, type LineCapabilities, type TransferTarget } from './line';
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
    dial: (callId: string, to: string) => current.dial(callId, to),
    answer: (callId: string) => current.answer(callId),
    decline: (callId: string) => current.decline(callId),
    hangUp: (callId: string) => current.hangUp(callId),
    hold: (callId: string) => current.hold(callId),
    resume: (callId: string) => current.resume(callId),
    mute: (callId: string) => current.mute(callId),
    unmute: (callId: string) => current.unmute(callId),
    sendDigits: (callId: string, digits: string) => current.sendDigits(callId, digits),
    startWarmTransfer: (callId: string, target: TransferTarget) => current.startWarmTransfer(callId, target),
    swap: (callId: string) => current.swap(callId),
    merge: (callId: string) => current.merge(callId),
    cancelTransfer: (callId: string) => current.cancelTransfer(callId),
    pauseRecording: (callId: string) => runLineCommand(current, { type: 'pauseRecording', callId }),
    resumeRecording: (callId: string) => runLineCommand(current, { type: 'resumeRecording', callId }),
    dispose() {
      unsubscribe();
      listeners.clear();
      current.dispose();
    },
  };
}
