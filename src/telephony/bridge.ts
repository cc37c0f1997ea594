import { fromCallback } from 'xstate';
import { LineError, runLineCommand, type Line, type LineCommand, type LineErrorCode } from './line';
import { parseLineEvent, type LineEvent } from './protocol';

/** What the bridge sends the call machine: the line's validated events, and what went wrong. */
export type BridgeEvent =
  | LineEvent
  | { type: 'LINE.MALFORMED'; problems: string[] }
  | {
      type: 'LINE.COMMAND_FAILED';
      command: LineCommand['type'];
      callId: string;
      code: LineErrorCode | 'unknown';
      message: string;
    };

/**
 * The actor that connects a line to the call machine: it validates every line event at the
 * boundary (anything malformed becomes `LINE.MALFORMED`, never a machine event), forwards the
 * machine's commands to the line, and turns a refused command into `LINE.COMMAND_FAILED`.
 * Provided at the composition root: `dialerMachine.provide({ actors: { line: lineBridge(line) } })`.
 */
export function lineBridge(line: Line) {
  return fromCallback<LineCommand, void, BridgeEvent>(({ sendBack, receive }) => {
    let live = true;
    const unsubscribe = line.subscribe((raw: unknown) => {
      if (!live) return;
      const parsed = parseLineEvent(raw);
      sendBack(parsed.ok ? parsed.event : { type: 'LINE.MALFORMED', problems: parsed.problems });
    });
    receive((command) => {
      runLineCommand(line, command).catch((error: unknown) => {
        if (!live) return;
        sendBack({
          type: 'LINE.COMMAND_FAILED',
          command: command.type,
          callId: command.callId,
          code: error instanceof LineError ? error.code : 'unknown',
          message: error instanceof Error ? error.message : String(error),
        });
      });
    });
    return () => {
      live = false;
      unsubscribe();
    };
  });
}

export { noLine } from './noLine';
