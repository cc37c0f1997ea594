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

/**
 * Listens for simulator messages from `parentWindow` and applies them to the simulated line in
 * use at that moment (`currentLine` resolves to null while the agent is on a real line). Anything
 * invalid, from another window, or refused by the line is passed to `onRejected`. Returns the
 * function that stops listening.
 */
export function listenForSimulatorMessages(
  currentLine: () => Promise<SimulatedLine | null>,
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
    const { command, from, name, giveUpAfterMs } = parsed.output;
    currentLine()
      .then((line) => {
        if (!line) throw new Error('the plugin is not on the simulated line');
        if (command === 'ringAgent') {
          line.ringAgent({ ...(from ? { from } : {}), ...(name ? { name } : {}), ...(giveUpAfterMs ? { giveUpAfterMs } : {}) });
        } else {
          line[command]();
        }
      })
      .catch((error: unknown) => onRejected(`Simulator ${command} refused: ${error instanceof Error ? error.message : String(error)}`));
  };
  target.addEventListener('message', onMessage as EventListener);
  return () => target.removeEventListener('message', onMessage as EventListener);
}
