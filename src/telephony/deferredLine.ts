import { delegateLine, LineError, runLineCommand, type Line, type LineCapabilities } from './line';
import type { LineEvent } from './protocol';

/** A line whose implementation is still loading; `ready` resolves to it. */
export interface DeferredLine extends Line {
  readonly ready: Promise<Line>;
}

/**
 * A line that is usable at once while its implementation (the simulated network, the SIP stack)
 * loads in the background, so neither weighs on the plugin's first render. It keeps the port's
 * contract: commands given before the line is loaded are passed on in order once it is (they
 * resolve when sent, as always), listeners are attached as soon as it exists, and if it cannot
 * be loaded every command rejects with `not_ready` and the reason is kept in `ready`.
 */
export function deferLine(kind: Line['kind'], capabilities: LineCapabilities, load: () => Promise<Line>): DeferredLine {
  const listeners = new Set<(event: LineEvent) => void>();
  const forward = (event: LineEvent) => {
    for (const listener of [...listeners]) listener(event);
  };
  let disposed = false;
  // Loading starts now; a load that throws becomes a rejected `ready`.
  const ready = new Promise<Line>((resolve) => resolve(load())).then((line) => {
    if (disposed) {
      line.dispose();
      throw new LineError('not_ready', 'The line was disposed while it loaded.');
    }
    line.subscribe(forward);
    return line;
  });
  // A failed load surfaces through the commands; keep it from being an unhandled rejection.
  ready.catch(() => undefined);

  const run = (command: (line: Line) => Promise<void>) =>
    ready.then(command, (error: unknown) => {
      throw error instanceof LineError ? error : new LineError('not_ready', `The line could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
    });

  return {
    kind,
    capabilities,
    ready,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ...delegateLine((command) => run((line) => runLineCommand(line, command))),
    dispose() {
      disposed = true;
      listeners.clear();
      void ready.then((line) => line.dispose(), () => undefined);
    },
  };
}
