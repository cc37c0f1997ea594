import { useId, useState, type FormEvent } from 'react';
import { useDialer, useSend } from './dialerContext';
import { InputError, useInputError } from './InputError';
import { readNumber, useNumbers } from './numbersContext';

/** Where to transfer the call to; read by the same number reader as any dial. */
export function TransferForm({ id }: { id: string }) {
  const send = useSend();
  const numbers = useNumbers();
  const inputError = useInputError();
  const [target, setTarget] = useState('');
  const canTransferNow = useDialer((s) => s.can({ type: 'AGENT.BLIND_TRANSFER', target: '+10000000000' }));
  const fieldId = useId();
  const errorId = useId();

  function start(event: FormEvent) {
    event.preventDefault();
    void readNumber(numbers, target, (result) => send({ type: 'AGENT.START_TRANSFER', target: result.number }), send);
  }

  return (
    <form id={id} className="sp-transfer-form" onSubmit={start} noValidate>
      <label className="sp-label" htmlFor={fieldId}>
        Transfer to
      </label>
      <input
        id={fieldId}
        className="sp-input"
        type="tel"
        inputMode="tel"
        autoComplete="off"
        value={target}
        aria-invalid={inputError ? true : undefined}
        aria-describedby={inputError ? errorId : undefined}
        onChange={(e) => {
          setTarget(e.currentTarget.value);
          if (inputError) send({ type: 'AGENT.CLEAR_ERROR' });
        }}
        // The agent opened the panel to type here.
        autoFocus
      />
      <InputError id={errorId} />
      <button type="submit" className="sp-button sp-button--primary">
        Start transfer
      </button>
      {canTransferNow && (
        // Blind transfer: hands the call over without talking to the target first.
        <button type="button" className="sp-button sp-button--secondary" onClick={() => send({ type: 'AGENT.BLIND_TRANSFER', target })}>
          Transfer now
        </button>
      )}
    </form>
  );
}
