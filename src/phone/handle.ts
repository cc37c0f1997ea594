/**
 * Library-free first pass over a phone handle: strips `tel:`, reads RFC 3966 parameters, splits
 * off an extension and refuses anything that is not made of digits and the usual separators.
 * What comes out is safe to hand to libphonenumber (digits, separators, an optional leading +).
 */

/** Longest (trimmed) handle we accept; longer is refused as too long before any parsing. */
export const MAX_HANDLE_LENGTH = 64;
/** Longest extension we will dial as DTMF. */
export const MAX_EXTENSION_DIGITS = 10;
/** Longest piece of the caller's input an error message may quote (ellipsis included). */
export const MAX_QUOTED_CHARS = 40;

export const TOO_LONG = 'That number is too long.';
export const TOO_SHORT = 'That number is too short.';

export type PreParsedHandle =
  | {
      ok: true;
      /** Digits and separators only, with an optional leading '+'. */
      number: string;
      /** True when `number` carries its own country code (leading '+'). */
      international: boolean;
      extension?: string;
    }
  | { ok: false; error: string };

/**
 * Wraps (part of) the caller's input in quotes for an error message: control, format (bidi)
 * and other invisible characters removed, whitespace collapsed, cut to {@link MAX_QUOTED_CHARS}.
 * Returns '' when nothing printable is left.
 */
export function quote(text: string): string {
  const clean = text.replace(/\p{C}/gu, '').replace(/\s+/g, ' ').trim();
  if (clean === '') return '';
  const chars = Array.from(clean); // do not cut a surrogate pair in half
  const short = chars.length > MAX_QUOTED_CHARS ? `${chars.slice(0, MAX_QUOTED_CHARS - 1).join('')}…` : clean;
  return `“${short}”`;
}

export function notAPhoneNumber(raw: string): string {
  const quoted = quote(raw);
  return quoted === '' ? 'That is not a phone number.' : `${quoted} is not a phone number.`;
}

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

/** `scheme:` at the start, per RFC 3986. */
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
/** Digits, whitespace, ( ) . and dashes (ASCII and Unicode), with an optional leading '+'. */
const NUMBER_PART = /^\+?[\s\d().\-\u2010-\u2015\u2212]*$/u;
/** Extension markers: "ext", "ext.", "x", "#" (case-insensitive). The first one wins. */
const EXTENSION_MARKER = /ext\.?|x|#/i;
/** RFC 3966 parameter name. */
const PARAM_NAME = /^[a-z0-9-]+$/i;
/** A phone-context that is a global number prefix ("+1-415"); domain names are ignored. */
const GLOBAL_CONTEXT = /^\+[\d\-.()]+$/;

/** Checks the shape of a handle and splits it into number and extension. See module doc. */
export function preParseHandle(raw: string): PreParsedHandle {
  const input = raw.trim();
  if (input === '') return fail('There is no phone number to call.');
  if (input.length > MAX_HANDLE_LENGTH) return fail(TOO_LONG);

  let rest = input;
  const scheme = SCHEME.exec(rest);
  if (scheme) {
    const name = scheme[1] ?? '';
    if (name.toLowerCase() !== 'tel') return fail(`Only phone numbers can be called, not ${quote(`${name}:`)} links.`);
    rest = rest.slice(scheme[0].length);
  }

  // RFC 3966 parameters: ";ext=" is kept, ";phone-context=" is used only as a numeric prefix for
  // a local number, everything else (";isub=", unknown names) is ignored and never used.
  const [main = '', ...params] = rest.split(';');
  let paramExtension: string | undefined;
  let context: string | undefined;
  for (const param of params) {
    if (param.trim() === '') continue;
    const eq = param.indexOf('=');
    const name = (eq === -1 ? param : param.slice(0, eq)).trim().toLowerCase();
    const value = eq === -1 ? '' : param.slice(eq + 1).trim();
    if (!PARAM_NAME.test(name)) return fail(notAPhoneNumber(input));
    if (name === 'ext') {
      if (paramExtension !== undefined) return fail('That number has two extensions.');
      paramExtension = value;
    } else if (name === 'phone-context') {
      context = value;
    }
  }

  let numberPart = main;
  let inlineExtension: string | undefined;
  const marker = EXTENSION_MARKER.exec(main);
  if (marker) {
    numberPart = main.slice(0, marker.index);
    inlineExtension = main.slice(marker.index + marker[0].length).trim();
  }

  numberPart = numberPart.trim();
  if (!NUMBER_PART.test(numberPart) || !/\d/.test(numberPart)) return fail(notAPhoneNumber(input));

  if (inlineExtension !== undefined && paramExtension !== undefined) {
    return fail('That number has two extensions.');
  }
  const extension = inlineExtension ?? paramExtension;
  if (extension !== undefined) {
    if (/\p{L}/u.test(extension)) return fail(notAPhoneNumber(input)); // "415 555 0100 xyz"
    if (extension === '') return fail('The extension has no digits.');
    if (!/^\d+$/.test(extension)) return fail('The extension can only contain digits.');
    if (extension.length > MAX_EXTENSION_DIGITS) {
      return fail(`That extension is too long (at most ${MAX_EXTENSION_DIGITS} digits).`);
    }
  }

  let international = numberPart.startsWith('+');
  if (!international && context !== undefined && GLOBAL_CONTEXT.test(context)) {
    numberPart = `${context} ${numberPart}`;
    international = true;
  }

  return extension === undefined
    ? { ok: true, number: numberPart, international }
    : { ok: true, number: numberPart, international, extension };
}
