import * as v from 'valibot';
import type { SimulatedLine } from './simulatedLine';

/**
 * Lets the page that embeds the plugin (the local Front workspace, end-to-end tests) play the far
 * end of the simulated network: ring the agent, give up, answer elsewhere, hang up. Messages come
 * over `window.postMessage` from the parent window only, are validated, and only exist while the
 * plugin runs on the simulated line: a real line has no such door.
 *
 *     parent.postMessage({ source: SIMULATOR_MESSAGE_SOURCE, command: 'ringAgent', from, name }, '*')
 */
export const SIMULATOR_MESSAGE_SOURCE = 'front-softphone-simulator';

const phone = v.pipe(v.string(), v.regex(/^\+?[0-9]{3,15}$/));

export const SimulatorMessageSchema = v.strictObject({
  source: v.literal(SIMULATOR_MESSAGE_SOURCE),
  command: v.picklist(['ringAgent', 'callerGivesUp', 'answerElsewhere', 'remoteHangsUp', 'dropConnection']),
  from: v.optional(phone),
  name: v.optional(v.pipe(v.string(), v.maxLength(100))),
  giveUpAfterMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(600_000))),
});

export type SimulatorMessage = v.InferOutput<typeof SimulatorMessageSchema>;

/** What a simulator message asks of the simulated line (the message without its `source`). */
export type SimulatorCommand = Omit<SimulatorMessage, 'source'>;

/** Plays one far-end command on the simulated line. */
export function applySimulatorCommand(line: SimulatedLine, { command, from, name, giveUpAfterMs }: SimulatorCommand): void {
  if (command === 'ringAgent') {
    line.ringAgent({ ...(from ? { from } : {}), ...(name ? { name } : {}), ...(giveUpAfterMs ? { giveUpAfterMs } : {}) });
  } else {
    line[command]();
  }
}

/**
 * Listens for simulator messages from `parentWindow` and hands each valid one to `run` (which
 * plays it on the simulated line in use, wherever that is; it rejects while the agent is on a real
 * line). Anything invalid, from another window, or refused is passed to `onRejected`. Returns the
 * function that stops listening.
 */
export function listenForSimulatorMessages(
  run: (command: SimulatorCommand) => Promise<void>,
  target: Pick<Window, 'addEventListener' | 'removeEventListener'>,
  parentWindow: unknown,
  onRejected: (reason: string) => void,
): () => void {
  const onMessage = (message: MessageEvent) => {
    if (message.source !== parentWindow) return;
    const data: unknown = message.data;
    if (typeof data !== 'object' || data === null || (data as { source?: unknown }).source !== SIMULATOR_MESSAGE_SOURCE) return;
    const parsed = v.safeParse(SimulatorMessageSchema, data);
    if (!parsed.success) {
      onRejected(`Invalid simulator message: ${parsed.issues[0]?.message ?? 'unknown problem'}`);
      return;
    }
    const { source: _source, ...command } = parsed.output;
    run(command).catch((error: unknown) => onRejected(`Simulator ${command.command} refused: ${error instanceof Error ? error.message : String(error)}`));
  };
  target.addEventListener('message', onMessage as EventListener);
  return () => target.removeEventListener('message', onMessage as EventListener);
}
