import { useId, useState } from 'react';
import { useDialer, useSend } from './dialerContext';
import { SipSettings } from './SipSettings';

/** The "Settings" toggle and the panel it opens. */
export function SettingsPanel() {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  return (
    <>
      <button
        type="button"
        className="sp-button sp-button--ghost sp-settings-toggle"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
      >
        Settings
      </button>
      {open && <SettingsForm id={panelId} />}
    </>
  );
}

function SettingsForm({ id }: { id: string }) {
  const mandatoryTagging = useDialer((s) => s.context.settings.mandatoryTagging);
  const send = useSend();
  return (
    <section id={id} className="sp-settings" aria-label="Settings">
      <label className="sp-check">
        <input
          type="checkbox"
          checked={mandatoryTagging}
          onChange={(e) => send({ type: 'SETTINGS.UPDATE', settings: { mandatoryTagging: e.currentTarget.checked } })}
        />
        Require tags after each call
      </label>
      <SipSettings />
    </section>
  );
}
