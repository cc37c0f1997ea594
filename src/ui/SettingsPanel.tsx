import { useEffect, useId, useRef, useState, type ComponentType } from 'react';
import { Icon } from './Icon';

type SettingsFormComponent = ComponentType<{ id: string }>;

// The settings forms (SIP account, call log) load when first opened: nobody needs them to take a
// call, and they would weigh on the plugin's first render.
let loadedForm: SettingsFormComponent | null = null;
const loadForm = () =>
  import('./SettingsForm').then((module) => {
    loadedForm = module.default;
    return module.default;
  });

/**
 * Settings, a view of its own in place of the call screen (which stays mounted, hidden, so a
 * half-typed number or an open keypad is still there on the way back). Back returns (Escape too,
 * see Dialer); the focus lands on the heading on the way in.
 */
export function SettingsView({ open, onBack }: { open: boolean; onBack: () => void }) {
  const [Form, setForm] = useState<SettingsFormComponent | null>(() => loadedForm);
  const [failed, setFailed] = useState(false);
  const panelId = useId();
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (open) heading.current?.focus();
  }, [open]);

  useEffect(() => {
    if (!open || Form) return;
    let live = true;
    setFailed(false);
    loadForm().then(
      (form) => live && setForm(() => form),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [open, Form]);

  return (
    <div className="sp-settings-view" hidden={!open}>
      <div className="sp-settings-view__bar">
        <button type="button" className="sp-button sp-button--ghost" onClick={onBack}>
          <Icon name="back" />
          Back
        </button>
        <h2 id={headingId} ref={heading} className="sp-settings-view__title" tabIndex={-1}>
          Settings
        </h2>
      </div>
      {Form && <Form id={panelId} />}
      {!Form && (
        <p id={panelId} className="sp-muted" role={failed ? 'alert' : undefined}>
          {failed ? 'Settings could not be loaded: check the connection and open Settings again.' : 'Loading settings...'}
        </p>
      )}
    </div>
  );
}
