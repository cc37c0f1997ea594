import { useId, useState, type FormEvent } from 'react';
import { useStoreValue } from '../store/react';
import { useCallLogSettings } from './callLogContext';

/**
 * The call-logging server and the teammate's token. The token is never filled back in: left
 * empty, Save keeps the saved one. Invalid input is refused with the field named and changes nothing.
 */
export function CallLogSettings() {
  const store = useCallLogSettings();
  if (!store) return null;
  return <CallLogForm store={store} />;
}

function CallLogForm({ store }: { store: NonNullable<ReturnType<typeof useCallLogSettings>> }) {
  const saved = useStoreValue(store, (state) => state);
  const [url, setUrl] = useState(saved.url);
  const [token, setToken] = useState('');
  const [error, setError] = useState<{ field: 'url' | 'token'; message: string } | null>(null);
  const [done, setDone] = useState(false);
  const baseId = useId();
  const urlId = `${baseId}-url`;
  const tokenId = `${baseId}-token`;

  function submit(event: FormEvent) {
    event.preventDefault();
    const result = store.save({ url, token });
    if (!result.ok) {
      setError({ field: result.field, message: result.error });
      setDone(false);
      return;
    }
    setError(null);
    setToken('');
    setUrl(store.getState().url);
    setDone(true);
  }

  const field = (id: string, name: 'url' | 'token') =>
    error?.field === name ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : {};

  return (
    <form className="sp-sip" onSubmit={submit} noValidate aria-label="Call log">
      <h2 className="sp-legend">Call log</h2>
      <div className="sp-field">
        <label className="sp-label" htmlFor={urlId}>
          Server URL
        </label>
        <input
          id={urlId}
          className="sp-input"
          type="url"
          autoComplete="off"
          value={url}
          placeholder="https://calls.example.com"
          {...field(urlId, 'url')}
          onChange={(e) => {
            setUrl(e.currentTarget.value);
            setDone(false);
          }}
        />
        {error?.field === 'url' && (
          <p id={`${urlId}-error`} className="sp-field-error">
            {error.message}
          </p>
        )}
      </div>
      <div className="sp-field">
        <label className="sp-label" htmlFor={tokenId}>
          Token
        </label>
        <input
          id={tokenId}
          className="sp-input"
          type="password"
          autoComplete="off"
          value={token}
          placeholder={saved.hasToken ? 'Saved' : undefined}
          {...field(tokenId, 'token')}
          onChange={(e) => {
            setToken(e.currentTarget.value);
            setDone(false);
          }}
        />
        {error?.field === 'token' && (
          <p id={`${tokenId}-error`} className="sp-field-error">
            {error.message}
          </p>
        )}
      </div>
      <p className="sp-muted" aria-live="polite">
        {done ? 'Call log settings saved.' : ''}
      </p>
      <button type="submit" className="sp-button sp-button--primary">
        Save call log settings
      </button>
    </form>
  );
}
