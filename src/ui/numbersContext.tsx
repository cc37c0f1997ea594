import { createContext, useCallback, useContext, type ReactNode } from 'react';
import type { AgentIntent } from '../machine';
import { createNumberReader, type DialTarget, type NumberReader } from '../phone';
import { useSend } from './dialerContext';
import { useFrontSession } from './frontContext';

/** Without a provider (tests, outside the app): the default rules (US, no extensions). */
const DEFAULT_READER = createNumberReader();

const NumbersContext = createContext<NumberReader>(DEFAULT_READER);

/** The deployment's number reader (src/phone) for every component that dials or shows a number. */
export function NumbersProvider({ numbers, children }: { numbers: NumberReader | null; children: ReactNode }) {
  return <NumbersContext.Provider value={numbers ?? DEFAULT_READER}>{children}</NumbersContext.Provider>;
}

export function useNumbers(): NumberReader {
  return useContext(NumbersContext);
}

/** Formats a number for display (national in the default region, international elsewhere). */
export function useFormatNumber(): (number: string) => string {
  const numbers = useNumbers();
  return useCallback((number: string) => numbers.format(number), [numbers]);
}

export interface DialRequest {
  /** What the agent typed or picked, unread. */
  readonly raw: string;
  /** The contact's name, when known (Front, the call log). */
  readonly name?: string | undefined;
}

/**
 * Dials what the agent typed or picked through the one number reader: a number it refuses never
 * reaches the machine, the refusal is shown next to the field (AGENT.NUMBER_REFUSED). Dials in
 * the same task when the phone tools are loaded; resolves once sent either way.
 */
export function useDial(): (request: DialRequest) => Promise<void> {
  const numbers = useNumbers();
  const send = useSend();
  const recipient = useFrontSession((session) => session.conversation?.phoneRecipient ?? null);
  return useCallback(
    (request: DialRequest) =>
      readNumber(numbers, request.raw, (target) => {
        // The open conversation's recipient's name, when the number dialled is theirs (Front gave it).
        const theirs = recipient?.name && numbers.read(recipient.handle);
        // (A refusal or a read still waiting for the tools has no number: no name then.)
        const name = request.name?.trim() || (theirs && (theirs as { number?: string }).number === target.number && recipient.name);
        send({ type: 'AGENT.DIAL', number: target.number, extension: target.extension, name: name || undefined });
      }, send),
    [numbers, send, recipient],
  );
}

/**
 * Reads `raw` with the number reader and passes what it dials to `use` (in the same task when the
 * phone tools are loaded), or says why it refuses it next to the field (AGENT.NUMBER_REFUSED).
 */
export function readNumber(
  numbers: NumberReader,
  raw: string,
  use: (target: Extract<DialTarget, { ok: true }>) => void,
  send: (intent: AgentIntent) => void,
): Promise<void> {
  const apply = (target: DialTarget) => (target.ok ? use(target) : send({ type: 'AGENT.NUMBER_REFUSED', message: target.error }));
  const result = numbers.read(raw);
  if (result instanceof Promise) return result.then(apply);
  apply(result);
  return Promise.resolve();
}
