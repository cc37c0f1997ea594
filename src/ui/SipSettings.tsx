import { useEffect, useId, useState, type FormEvent } from 'react';
import type { SipAccount, SipDevices } from '../telephony/sip';
import { useLineChoice, useLineManager } from './lineContext';

type Field = keyof SipAccount;

const FIELDS: readonly { field: Field; label: string; type: string; optional?: boolean; autoComplete: string }[] = [
  { field: 'websocketUrl', label: 'WebSocket URL', type: 'url', autoComplete: 'off' },
  { field: 'sipUri', label: 'SIP URI', type: 'text', autoComplete: 'username' },
  { field: 'authorizationUser', label: 'Authorization user', type: 'text', optional: true, autoComplete: 'off' },
  { field: 'password', label: 'Password', type: 'password', autoComplete: 'current-password' },
  { field: 'displayName', label: 'Display name', type: 'text', optional: true, autoComplete: 'name' },
  // The teammate's own STUN servers, one URL a line; added to the deployment's ICE servers and the
  // call-logging server's TURN (see README "ICE servers").
  { field: 'iceServers', label: 'ICE servers', type: 'textarea', optional: true, autoComplete: 'off' },
];

/** The ICE servers field's lines as the account's list. */
function iceServerList(text: string): string[] {
  return text
    .split(/[\r\n]+/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/**
 * The SIP account (the real phone line) and audio devices. The password field is never filled
 * back in: left empty, Connect reuses the saved password.
 */
export function SipSettings() {
  const choice = useLineChoice((state) => state);
  const defaults = choice?.defaults;
  const lines = useLineManager();
  const [values, setValues] = useState<Record<Field, string>>(() => ({
    websocketUrl: choice?.account?.websocketUrl ?? defaults?.websocketUrl ?? '',
    sipUri: choice?.account?.sipUri ?? (defaults?.domain ? `sip:@${defaults.domain}` : ''),
    authorizationUser: choice?.account?.authorizationUser ?? '',
    password: '',
    displayName: choice?.account?.displayName ?? '',
    iceServers: (choice?.account?.iceServers ?? []).join('\n'),
  }));
  const [deviceError, setDeviceError] = useState<string | null>(null);
  const errorId = useId();
  const baseId = useId();
  if (!choice || !lines) return null;

  function submit(event: FormEvent) {
    event.preventDefault();
    const account: SipAccount = {
      websocketUrl: values.websocketUrl.trim(),
      sipUri: values.sipUri.trim(),
      password: values.password,
      ...(values.authorizationUser.trim() ? { authorizationUser: values.authorizationUser.trim() } : {}),
      ...(values.displayName.trim() ? { displayName: values.displayName.trim() } : {}),
      ...(iceServerList(values.iceServers).length > 0 ? { iceServers: iceServerList(values.iceServers) } : {}),
    };
    void lines!.connect(account);
    setValues((v) => ({ ...v, password: '' }));
  }

  return (
    <form className="sp-sip" onSubmit={submit} noValidate aria-label="Phone line">
      <h2 className="sp-legend">Phone line (SIP)</h2>
      {FIELDS.map(({ field, label, type, optional, autoComplete }) => {
        const id = `${baseId}-${field}`;
        const error = choice.fieldErrors[field];
        return (
          <div key={field} className="sp-field">
            <label className="sp-label" htmlFor={id}>
              {label}
              {optional && <span className="sp-muted"> (optional)</span>}
            </label>
            {type === 'textarea' ? (
              <textarea
                id={id}
                className="sp-input"
                rows={2}
                autoComplete={autoComplete}
                spellCheck={false}
                value={values[field]}
                placeholder="stun:stun.example.com:3478"
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? `${id}-error` : undefined}
                onChange={(e) => {
                  const value = e.currentTarget.value;
                  setValues((v) => ({ ...v, [field]: value }));
                }}
              />
            ) : (
              <input
                id={id}
                className="sp-input"
                type={type}
                autoComplete={autoComplete}
                value={values[field]}
                placeholder={field === 'password' && choice.hasSavedPassword ? 'Saved' : undefined}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? `${id}-error` : undefined}
                onChange={(e) => {
                  const value = e.currentTarget.value;
                  setValues((v) => ({ ...v, [field]: value }));
                }}
              />
            )}
            {error && (
              <p id={`${id}-error`} className="sp-field-error">
                {error}
              </p>
            )}
          </div>
        );
      })}
      {choice.error && (
        <p id={errorId} className="sp-field-error" role="alert">
          {choice.error}
        </p>
      )}
      <div className="sp-row">
        <button type="submit" className="sp-button sp-button--primary sp-grow" disabled={choice.connecting}>
          Connect
        </button>
        <button type="button" className="sp-button sp-button--secondary sp-grow" disabled={choice.kind !== 'sip'} onClick={() => lines.disconnect()}>
          Disconnect
        </button>
      </div>
      {choice.kind === 'sip' && (
        <DeviceSettings
          devices={choice.devices}
          error={deviceError}
          onChange={(devices) => {
            setDeviceError(null);
            // The line keeps the choice for later calls even when it cannot use it now: say so.
            lines.setDevices(devices).catch((error: unknown) => setDeviceError(error instanceof Error ? error.message : 'The audio device could not be used.'));
          }}
        />
      )}
    </form>
  );
}

/** Microphone, call audio output and ringtone output; the browser names them once allowed. */
function DeviceSettings({ devices, error, onChange }: { devices: SipDevices; error: string | null; onChange: (devices: SipDevices) => void }) {
  const [available, setAvailable] = useState<MediaDeviceInfo[]>([]);
  const baseId = useId();
  useEffect(() => {
    let live = true;
    navigator.mediaDevices
      ?.enumerateDevices()
      .then((list) => live && setAvailable(list))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  const inputs = available.filter((d) => d.kind === 'audioinput');
  const outputs = available.filter((d) => d.kind === 'audiooutput');
  const select = (label: string, key: keyof SipDevices, options: MediaDeviceInfo[]) => (
    <div className="sp-field">
      <label className="sp-label" htmlFor={`${baseId}-${key}`}>
        {label}
      </label>
      <select
        id={`${baseId}-${key}`}
        className="sp-input"
        value={devices[key] ?? ''}
        onChange={(e) => onChange({ [key]: e.currentTarget.value || undefined })}
      >
        <option value="">System default</option>
        {options.map((d, i) => (
          <option key={d.deviceId || i} value={d.deviceId}>
            {d.label || `${label} ${i + 1}`}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <fieldset className="sp-fieldset">
      <legend className="sp-legend">Audio devices</legend>
      {select('Microphone', 'microphoneId', inputs)}
      {select('Speaker', 'speakerId', outputs)}
      {select('Ringtone output', 'ringerId', outputs)}
      {error && (
        <p className="sp-field-error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
