import { createContext, useCallback, useContext, type ReactNode } from 'react';
import { createNumberReader, type NumberReader } from '../phone';
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
    (request: DialRequest) => {
      const apply = (target: Awaited<ReturnType<NumberReader['read']>>) => {
        if (!target.ok) {
          send({ type: 'AGENT.NUMBER_REFUSED', message: target.error });
          return;
        }
        const name = request.name?.trim() || recipientName(numbers, recipient, target.number);
        send({ type: 'AGENT.DIAL', number: target.number, ...(target.extension ? { extension: target.extension } : {}), ...(name ? { name } : {}) });
      };
      const result = numbers.read(request.raw);
      if (result instanceof Promise) return result.then(apply);
      apply(result);
      return Promise.resolve();
    },
    [numbers, send, recipient],
  );
}

/** The open conversation's recipient's name, when the number dialled is theirs (Front gave it). */
function recipientName(numbers: NumberReader, recipient: { handle: string; name?: string } | null, number: string): string | undefined {
  if (!recipient?.name) return undefined;
  const theirs = numbers.read(recipient.handle);
  return !(theirs instanceof Promise) && theirs.ok && theirs.number === number ? recipient.name : undefined;
}
