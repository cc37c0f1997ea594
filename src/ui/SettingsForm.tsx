import { useDialer, useSend } from './dialerContext';
import { CallLogSettings } from './CallLogSettings';
import { SipSettings } from './SipSettings';

/** The settings the agent can change: wrap-up, the phone line, the call log. */
export default function SettingsForm({ id }: { id: string }) {
  const mandatoryTagging = useDialer((s) => s.context.settings.mandatoryTagging);
  const callWaiting = useDialer((s) => s.context.settings.callWaiting);
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
      <label className="sp-check">
        <input
          type="checkbox"
          checked={callWaiting}
          onChange={(e) => send({ type: 'SETTINGS.UPDATE', settings: { callWaiting: e.currentTarget.checked } })}
        />
        Call waiting (off: a second caller hears busy and shows as missed)
      </label>
      <SipSettings />
      <CallLogSettings />
    </section>
  );
}
