import { useEffect, useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useDialer, useSend } from './dialerContext';
import { useTransferTeammates, type TransferTeammate } from './frontContext';
import { InputError, useInputError } from './InputError';
import { readNumber, useNumbers } from './numbersContext';

/** Teammates listed at most while searching: the sidebar is narrow, and typing more narrows it. */
const MAX_OPTIONS = 8;

/**
 * Where to transfer the call to; read by the same number reader as any dial (src/phone, with the
 * deployment's region and extension rule), for Start transfer and Transfer now alike.
 *
 * With a teammate directory (softphone.config.json `directory`, joined with Front's teammates),
 * the field is also a search by name: the ARIA combobox pattern (an input with role=combobox
 * owning a listbox, aria-activedescendant for the option Up/Down reach, Enter picks, Escape closes
 * the list). Not a native <datalist>: browsers differ in how they announce and filter it, show the
 * number rather than the name, and screen readers do not reliably announce its options. Picking a
 * teammate fills the field with their number or extension, which is read like a typed one.
 */
export function TransferForm({ id }: { id: string }) {
  const send = useSend();
  const numbers = useNumbers();
  const inputError = useInputError();
  const [target, setTarget] = useState('');
  const [picked, setPicked] = useState<TransferTeammate | null>(null);
  const canTransferNow = useDialer((s) => s.can({ type: 'AGENT.BLIND_TRANSFER', target: '+10000000000' }));
  const search = useTeammateSearch(target);
  const fieldId = useId();
  const errorId = useId();
  const hintId = useId();
  const listId = useId();
  const optionId = (index: number) => `${listId}-${index}`;

  // The teammate's name goes with the number they were picked for; typing over it drops it.
  const name = picked && picked.number === target ? { name: picked.name } : {};

  function start(event: FormEvent) {
    event.preventDefault();
    void readNumber(numbers, target, (result) => send({ type: 'AGENT.START_TRANSFER', target: result.number, ...name }), send);
  }

  function pick(teammate: TransferTeammate) {
    setTarget(teammate.number);
    setPicked(teammate);
    search.close();
    if (inputError) send({ type: 'AGENT.CLEAR_ERROR' });
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (!search.enabled) return;
    const { options, active, open } = search;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (options.length === 0) return;
      const step = event.key === 'ArrowDown' ? 1 : -1;
      search.show(open ? (active + step + options.length) % options.length : step === 1 ? 0 : options.length - 1);
    } else if (event.key === 'Enter' && open && options[active]) {
      // Picks the option instead of submitting the form.
      event.preventDefault();
      pick(options[active]);
    } else if (event.key === 'Escape' && open) {
      // Closes the list only; a second Escape closes the transfer panel as before.
      event.preventDefault();
      event.stopPropagation();
      search.close();
    }
  }

  const describedBy = [search.enabled ? hintId : null, inputError ? errorId : null].filter(Boolean).join(' ') || undefined;
  const expanded = search.open && search.options.length > 0;

  return (
    <form id={id} className="sp-transfer-form" onSubmit={start} noValidate>
      <label className="sp-label" htmlFor={fieldId}>
        Transfer to
      </label>
      <div className="sp-combobox">
        <input
          id={fieldId}
          className="sp-input"
          type={search.enabled ? 'text' : 'tel'}
          inputMode={search.enabled ? undefined : 'tel'}
          autoComplete="off"
          value={target}
          aria-invalid={inputError ? true : undefined}
          aria-describedby={describedBy}
          {...(search.enabled
            ? {
                role: 'combobox',
                'aria-autocomplete': 'list' as const,
                'aria-expanded': expanded,
                'aria-controls': listId,
                'aria-activedescendant': expanded && search.active >= 0 ? optionId(search.active) : undefined,
              }
            : {})}
          onChange={(e) => {
            setTarget(e.currentTarget.value);
            search.show(-1);
            if (inputError) send({ type: 'AGENT.CLEAR_ERROR' });
          }}
          onKeyDown={onKeyDown}
          onBlur={() => search.close()}
          // The agent opened the panel to type here.
          autoFocus
        />
        {search.enabled && (
          <ul id={listId} role="listbox" aria-label="Teammates" className="sp-listbox" hidden={!expanded}>
            {expanded &&
              search.options.map((teammate, index) => (
                <li
                  key={teammate.id}
                  id={optionId(index)}
                  role="option"
                  aria-selected={index === search.active}
                  className="sp-option"
                  // Keeps focus in the field (blur would close the list before the click lands).
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => pick(teammate)}
                >
                  <span>{teammate.name}</span> <span className="sp-muted sp-mono">{teammate.number}</span>
                </li>
              ))}
          </ul>
        )}
      </div>
      {search.enabled && (
        <p id={hintId} className="sp-muted sp-hint">
          A number, or a teammate's name.
        </p>
      )}
      {search.problem && <p className="sp-muted sp-hint">{search.problem}</p>}
      <InputError id={errorId} />
      <button type="submit" className="sp-button sp-button--primary">
        Start transfer
      </button>
      {canTransferNow && (
        // Blind transfer: hands the call over without talking to the target first.
        <button type="button" className="sp-button sp-button--secondary" onClick={() => void readNumber(numbers, target, (result) => send({ type: 'AGENT.BLIND_TRANSFER', target: result.number, ...name }), send)}>
          Transfer now
        </button>
      )}
    </form>
  );
}

/**
 * The teammates matching what is typed (every word of it starts a word of the name, or the
 * email), fetched once when the form opens. Disabled when there is no directory or nobody in it.
 */
function useTeammateSearch(query: string) {
  const fetchTeammates = useTransferTeammates();
  const [teammates, setTeammates] = useState<readonly TransferTeammate[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);

  useEffect(() => {
    if (!fetchTeammates) return;
    let live = true;
    fetchTeammates().then(
      (list) => live && setTeammates(list),
      // Said beside the field: the number can still be typed.
      () => live && setProblem('Teammates could not be loaded from Front; type a number.'),
    );
    return () => {
      live = false;
    };
    // Once per opening of the form (the function is made anew each render).
  }, []);

  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const options =
    words.length === 0
      ? teammates.slice(0, MAX_OPTIONS)
      : teammates
          .filter((t) => {
            const nameWords = t.name.toLowerCase().split(/\s+/);
            return words.every((w) => nameWords.some((n) => n.startsWith(w)) || t.email.toLowerCase().startsWith(w));
          })
          .slice(0, MAX_OPTIONS);

  return {
    enabled: teammates.length > 0,
    options,
    // Open while there is something to show; typing a number that matches nobody closes it.
    open: open && options.length > 0,
    active: Math.min(active, options.length - 1),
    problem,
    show(index: number) {
      setOpen(true);
      setActive(index);
    },
    close() {
      setOpen(false);
      setActive(-1);
    },
  };
}
