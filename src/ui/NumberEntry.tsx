import { useId, useRef, useState, type FormEvent } from 'react';
import { useSend } from './dialerContext';
import { InputError, useInputError } from './InputError';
import { Icon } from './Icon';
import { Keypad } from './Keypad';
import { onEscape } from './keyboard';

/**
 * The dial screen: a number field, an optional keypad that types into it, and "Call". The
 * machine validates the number (and says why it refuses one); the UI only passes the text on.
 * Also under a call's summary, so the next call is one action away. Escape closes the dial pad.
 */
export function NumberEntry() {
  const send = useSend();
  const inputError = useInputError();
  const [number, setNumber] = useState('');
  const [keypadOpen, setKeypadOpen] = useState(false);
  const fieldId = useId();
  const errorId = useId();
  const keypadId = useId();
  const keypadButton = useRef<HTMLButtonElement>(null);
  const closeKeypad = () => {
    if (!keypadOpen) return false;
    keypadButton.current?.focus();
    setKeypadOpen(false);
    return true;
  };

  function edit(next: string) {
    setNumber(next);
    if (inputError) send({ type: 'AGENT.CLEAR_ERROR' });
  }

  function dial(event: FormEvent) {
    event.preventDefault();
    send({ type: 'AGENT.DIAL', number });
  }

  return (
    <form className="sp-screen sp-dial" onSubmit={dial} onKeyDown={onEscape(closeKeypad)} noValidate>
      <label className="sp-label" htmlFor={fieldId}>
        Phone number
      </label>
      <input
        id={fieldId}
        className="sp-input sp-input--number"
        type="tel"
        inputMode="tel"
        autoComplete="off"
        placeholder="+1 415 555 0100"
        value={number}
        aria-invalid={inputError ? true : undefined}
        aria-describedby={inputError ? errorId : undefined}
        onChange={(e) => edit(e.currentTarget.value)}
        data-autofocus
      />
      <InputError id={errorId} />
      <div className="sp-row">
        <button
          ref={keypadButton}
          type="button"
          className="sp-button sp-button--secondary"
          aria-expanded={keypadOpen}
          aria-controls={keypadId}
          onClick={() => setKeypadOpen((o) => !o)}
        >
          <Icon name="keypad" />
          Keypad
        </button>
        <button type="submit" className="sp-button sp-button--answer sp-grow">
          <Icon name="phone" />
          Call
        </button>
      </div>
      <div id={keypadId} hidden={!keypadOpen}>
        {keypadOpen && <Keypad label="Dial pad" onDigit={(digit) => edit(number + digit)} />}
      </div>
    </form>
  );
}
