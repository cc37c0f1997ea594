import type { Participant } from '../telephony';
import { useFormatNumber } from './numbersContext';

/**
 * A party as the agent recognises them: the name when known, with the number underneath. With
 * `focusOnShow` the name is where focus lands when the screen appears, so a screen reader says
 * who the call is with and a second Enter never hangs up by accident.
 */
export function Party({ party, caption, focusOnShow = false }: { party: Participant | null; caption?: string; focusOnShow?: boolean }) {
  const format = useFormatNumber();
  const number = party ? format(party.number) : '';
  return (
    <div className="sp-party">
      {caption && <p className="sp-party__caption">{caption}</p>}
      <h2 className="sp-party__name" tabIndex={focusOnShow ? -1 : undefined} data-autofocus={focusOnShow || undefined}>
        {party ? (party.name ?? number) : 'Unknown caller'}
      </h2>
      {party?.name && <p className="sp-party__number">{number}</p>}
    </div>
  );
}
