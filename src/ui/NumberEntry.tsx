import { useId, useState, type FormEvent } from 'react';
import { useSend } from './dialerContext';
import { InputError, useInputError } from './InputError';
import { Icon } from './Icon';
import { Keypad } from './Keypad';
import { useDial } from './numbersContext';
import { usePanels } from './usePanels';

/**
 * The dial screen: a number field, an optional keypad that types into it, and "Call". The number
 * goes through the deployment's number reader (region, extensions): one it refuses is said next
 * to the field and never reaches the line. Also under a call's summary, so the next call is one
 * action away. Escape closes the dial pad.
 */
export function NumberEntry() {
  const send = useSend();
  const dialNumber = useDial();
  const inputError = useInputError();
  const [number, setNumber] = useState('');
  const panels = usePanels<'keypad'>();
  const keypadOpen = panels.open === 'keypad';
  const fieldId = useId();
  const errorId = useId();
  function edit(next: string) {
    setNumber(next);
    if (inputError) send({ type: 'AGENT.CLEAR_ERROR' });
  }

  function dial(event: FormEvent) {
    event.preventDefault();
    void dialNumber({ raw: number });
  }

  return (
    <form className="sp-screen sp-dial" onSubmit={dial} onKeyDown={panels.onKeyDown} noValidate>
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
        <button type="button" className="sp-button sp-button--secondary" {...panels.button('keypad')}>
          <Icon name="keypad" />
          Keypad
        </button>
        <button type="submit" className="sp-button sp-button--answer sp-grow">
          <Icon name="phone" />
          Call
        </button>
      </div>
      <div id={panels.id('keypad')} hidden={!keypadOpen}>
        {keypadOpen && <Keypad label="Dial pad" onDigit={(digit) => edit(number + digit)} />}
      </div>
    </form>
  );
}
