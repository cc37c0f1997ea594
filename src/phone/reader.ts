/**
 * The one reader of dialled numbers: the Call button, the number field and its keypad, the
 * transfer target and call back all go through it, with the deployment's rules (region,
 * extensions). It answers at once when the phone tools are loaded and with a promise while they
 * load (libphonenumber-js stays out of the initial bundle), so a click dials in its own task in the
 * usual case. No libphonenumber import here.
 */
import { loadPhoneTools, phoneToolsIfLoaded } from './loader';
import { DEFAULT_DIAL_RULES, type DialRules, type DialTarget, type PhoneTools } from './types';

export interface NumberReader {
  /** Reads a number to dial; see {@link PhoneTools.readDialable}. Never rejects. */
  read(raw: string): DialTarget | Promise<DialTarget>;
  /**
   * A number for display: national in the default region, international elsewhere; as given
   * while the tools or the rules are still loading, or when it is not a phone number.
   */
  format(number: string): string;
}

export const TOOLS_UNAVAILABLE = 'Phone numbers cannot be read right now: reload the plugin and try again.';

export interface NumberReaderOptions {
  /** The deployment's rules; may still be loading (the deployment config). */
  readonly rules?: DialRules | Promise<DialRules>;
  /** The phone tools; the lazy libphonenumber-js by default. */
  readonly tools?: { load(): Promise<PhoneTools>; ifLoaded(): PhoneTools | null };
  /**
   * Whether the line in use has internal extensions, asked at each read: a phone system (SIP) does,
   * the simulated line does not, so there the deployment's extension rule is off (`123` is refused,
   * never dialled). Always by default.
   */
  readonly extensionsOnLine?: () => boolean;
}

export function createNumberReader({
  rules = DEFAULT_DIAL_RULES,
  tools = { load: loadPhoneTools, ifLoaded: phoneToolsIfLoaded },
  extensionsOnLine = () => true,
}: NumberReaderOptions = {}): NumberReader {
  const forLine = (value: DialRules): DialRules => (value.extensions && !extensionsOnLine() ? { ...value, extensions: null } : value);
  let known: DialRules | null = rules instanceof Promise ? null : rules;
  const ready = Promise.resolve(rules).then(
    (value) => (known = value),
    () => (known = DEFAULT_DIAL_RULES),
  );
  return {
    read(raw) {
      const loaded = tools.ifLoaded();
      if (loaded && known) return loaded.readDialable(raw, forLine(known));
      return Promise.all([tools.load(), ready]).then(
        ([phone, inRules]) => phone.readDialable(raw, forLine(inRules)),
        (): DialTarget => ({ ok: false, error: TOOLS_UNAVAILABLE }),
      );
    },
    format(number) {
      const loaded = tools.ifLoaded();
      return loaded ? loaded.formatForDisplay(number, known?.region) : number;
    },
  };
}
