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
   * International format of an E.164 number ('+14155550100' -> '+1 415 555 0100'). Returns the
   * input unchanged if it is not an E.164 string libphonenumber can parse.
   */
  formatForDisplay(e164: string): string;
  /** Whether `region` (case-insensitive, e.g. 'gb') is a region libphonenumber knows. */
  isSupportedRegion(region: string): boolean;
}
