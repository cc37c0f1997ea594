import { useEffect, useId, useState, type ComponentType } from 'react';

type SettingsFormComponent = ComponentType<{ id: string }>;

// The settings forms (SIP account, call log) load when first opened: nobody needs them to take a
// call, and they would weigh on the plugin's first render.
let loadedForm: SettingsFormComponent | null = null;
const loadForm = () =>
  import('./SettingsForm').then((module) => {
    loadedForm = module.default;
    return module.default;
  });

/** The "Settings" toggle and the panel it opens. */
export function SettingsPanel() {
  const [open, setOpen] = useState(false);
  const [Form, setForm] = useState<SettingsFormComponent | null>(() => loadedForm);
  const [failed, setFailed] = useState(false);
  const panelId = useId();

  useEffect(() => {
    if (!open || Form) return;
    let live = true;
    loadForm().then(
      (form) => live && setForm(() => form),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [open, Form]);

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
      {open && Form && <Form id={panelId} />}
      {open && !Form && (
        <p id={panelId} className="sp-muted" role={failed ? 'alert' : undefined}>
          {failed ? 'Settings could not be loaded: check the connection and reopen Settings.' : 'Loading settings...'}
        </p>
      )}
    </>
  );
}
