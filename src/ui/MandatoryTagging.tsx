import { useId, useState, type FormEvent } from 'react';
import { selectRecoveryNotice } from '../machine';
import { useDialer, useSend } from './dialerContext';
import { InputError, useInputError } from './InputError';
import type { TagOption } from './Dialer';

/** Wrap-up: the call must be tagged before the next one. The options come from the composition root. */
export function MandatoryTagging({ tagOptions }: { tagOptions: readonly TagOption[] }) {
  const send = useSend();
  const inputError = useInputError();
  const notice = useDialer(selectRecoveryNotice);
  const [picked, setPicked] = useState<readonly string[]>([]);
  const errorId = useId();

  function toggle(tag: string, on: boolean) {
    setPicked((current) => (on ? [...current, tag] : current.filter((t) => t !== tag)));
    if (inputError) send({ type: 'AGENT.CLEAR_ERROR' });
  }

  function save(event: FormEvent) {
    event.preventDefault();
    // Keep the order of the options, whatever order they were ticked in.
    send({ type: 'AGENT.SAVE_TAGS', tags: tagOptions.filter((tag) => picked.includes(tag.id)).map((tag) => tag.id) });
  }

  return (
    <form className="sp-screen sp-tagging" onSubmit={save} noValidate>
      <fieldset className="sp-fieldset" aria-describedby={inputError ? errorId : undefined}>
        <legend className="sp-legend">
          Tag this call
        </legend>
        {notice && <p className="sp-hint">{notice}</p>}
        <p className="sp-muted sp-hint">Tags are required before your next call.</p>
        <div className="sp-tags">
          {tagOptions.map((tag, index) => (
            <label key={tag.id} className="sp-tag">
              <input
                type="checkbox"
                checked={picked.includes(tag.id)}
                onChange={(e) => toggle(tag.id, e.currentTarget.checked)}
                data-autofocus={index === 0 || undefined}
              />
              <span>{tag.name}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <InputError id={errorId} />
      <button type="submit" className="sp-button sp-button--primary">
        Save tags
      </button>
    </form>
  );
}
