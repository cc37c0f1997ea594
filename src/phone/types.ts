/**
 * Public types and constants of the phone module. This file must never import libphonenumber-js
 * at runtime: it is part of the initial bundle, the library is not.
 */

/**
 * Region used to read numbers written without a country code ("(415) 555-0100") when the
 * caller does not pass one. Configurable per call: every entry point takes the region as a
 * parameter, this is only the fallback for "not configured".
 */
export const DEFAULT_REGION = 'US';

/**
 * Two-letter ISO 3166-1 region code such as 'US' or 'GB' (case-insensitive). Typed as a plain
 * string because it comes from settings; it is validated against libphonenumber's metadata.
 */
export type RegionCode = string;

/** Result of {@link PhoneTools.normalizeHandle}. */
export type NormalizeResult =
  | {
      ok: true;
      /** The number in E.164, e.g. '+14155550100'. Never contains an extension. */
      e164: string;
      /** Extension digits (1–10), to be sent as DTMF once the call connects. */
      extension?: string;
      /** International format without the extension, e.g. '+1 415 555 0100'. */
      display: string;
    }
  | {
      ok: false;
      /** Short message for the agent; quotes at most 40 characters of the input. */
      error: string;
    };

/**
 * Internal extensions the deployment dials as they are typed ("2 to 6 digits"): a number made of
 * digits only, with no + and no separators, whose length is in the range. Off (null) unless the
 * deployment config turns it on.
 */
export interface ExtensionRule {
  readonly minDigits: number;
  readonly maxDigits: number;
}

/** The rules every number that can be dialled goes through (see {@link PhoneTools.readDialable}). */
export interface DialRules {
  /** Region for numbers written without +country code. */
  readonly region: RegionCode;
  /** Internal extensions, or null when the deployment has none (the default). */
  readonly extensions: ExtensionRule | null;
}

export const DEFAULT_DIAL_RULES: DialRules = { region: DEFAULT_REGION, extensions: null };

/** What a number typed, clicked or called back becomes before it may reach the line. */
export type DialTarget =
  | {
      ok: true;
      /** E.164 ('+14155550100'), or the extension's digits when `internal`. */
      number: string;
      /** Digits to send as tones once the call connects ("ext. 42"). */
      extension?: string;
      /** An internal extension (by the deployment's rule), not a phone number. */
      internal: boolean;
    }
  | { ok: false; error: string };

/** Phone helpers backed by libphonenumber-js; obtain them with `loadPhoneTools()`. */
export interface PhoneTools {
  /**
   * Turns a phone handle as Front displays it ("(415) 555-0100", "tel:+1-415-555-0100;ext=42",
   * "415.555.0100 x42", …) into E.164 plus an optional extension, or refuses it with a message.
   *
   * `defaultRegion` is used only for numbers written without a country code; blank or omitted
   * means {@link DEFAULT_REGION}. An unknown region is not silently replaced: international
   * numbers ("+44 …") still work, national ones are refused with a message naming the region.
   */
  normalizeHandle(raw: string, defaultRegion?: RegionCode): NormalizeResult;
  /**
   * The one reading of a number the agent dials (typed, keypad, Call button, transfer target, call
   * back): an internal extension when the rule says so, else a phone number read in the region
   * that is possible for its country and E.164 (contract/numbers.ts); anything else is refused
   * with a message.
   */
  readDialable(raw: string, rules: DialRules): DialTarget;
  /**
   * An E.164 number for display: national format when it belongs to `region` ('+14155550100' in
   * US -> '(415) 555-0100'), international otherwise ('+1 415 555 0100'). Returns the input
   * unchanged if it is not an E.164 string libphonenumber can parse (an extension, 'anonymous').
   */
  formatForDisplay(e164: string, region?: RegionCode): string;
  /** Whether `region` (case-insensitive, e.g. 'gb') is a region libphonenumber knows. */
  isSupportedRegion(region: string): boolean;
}
