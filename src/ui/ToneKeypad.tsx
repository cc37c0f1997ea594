import { useDialer, useSend } from './dialerContext';
import { Keypad } from './Keypad';

/** The keypad during a call: each digit is sent to the line as a tone (typed digits too, see keyboard.ts). */
export function ToneKeypad({ id }: { id: string }) {
  const digitsSent = useDialer((s) => s.context.digitsSent);
  const send = useSend();
  return (
    <div id={id} className="sp-tones">
      <p className="sp-tones__sent">
        {digitsSent ? (
          <>
            <span className="sp-visually-hidden">Tones sent: </span>
            {digitsSent}
          </>
        ) : (
          <span className="sp-muted">Tones you press or type are sent to the call</span>
        )}
      </p>
      <Keypad label="Keypad" onDigit={(digits) => send({ type: 'AGENT.SEND_DIGITS', digits })} />
    </div>
  );
}
