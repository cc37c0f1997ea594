/**
 * The libphonenumber-backed half of the module. The library is passed in (it is loaded with a
 * dynamic import by `loader.ts`); this file only imports its *types*, so it adds nothing of
 * libphonenumber to the bundle that imports it.
 *
 * Possible vs valid: we require `isPossible()` (right length for the country) and deliberately
 * not `isValid()` (number range allocated in the bundled metadata). With libphonenumber-js
 * 1.13 / `min` metadata, +14155550100 and the Twilio test numbers +15005550001…+15005550005 are
 * both possible and valid, but e.g. +15555550100 (555 area code), +11234567890 and the Ofcom
 * drama range +447700900123 are possible yet not valid. Metadata lags behind new allocations,
 * and a softphone should let the carrier decide, so "possible" is the bar: it still rejects
 * wrong lengths and unknown country codes, which is what catches typos and junk.
 */
import type { CountryCode } from 'libphonenumber-js/min';
import { isE164 } from '../../contract';
import { DEFAULT_REGION, type DialRules, type DialTarget, type NormalizeResult, type PhoneTools, type RegionCode } from './types';
import { TOO_LONG, TOO_SHORT, preParseHandle, quote, notAPhoneNumber } from './handle';

/** The part of `libphonenumber-js/min` we use (type only; injected so tests can fake it). */
export type PhoneLib = Pick<
  typeof import('libphonenumber-js/min'),
  'parsePhoneNumberFromString' | 'validatePhoneNumberLength' | 'isSupportedCountry'
>;

/** Builds {@link PhoneTools} around a loaded libphonenumber-js. */
export function createPhoneTools(lib: PhoneLib): PhoneTools {
  function toRegion(region: string): CountryCode | undefined {
    const code = region.trim().toUpperCase();
    return lib.isSupportedCountry(code) ? code : undefined;
  }

  /** Why libphonenumber would not take `number` (the pre-parsed form of `raw`). */
  function lengthError(raw: string, number: string, region: CountryCode | undefined, national: boolean): string {
    const problem = lib.validatePhoneNumberLength(number, region ? { defaultCountry: region } : {});
    const readAs = national && region ? ` (read as a ${region} number)` : '';
    switch (problem) {
      case 'TOO_SHORT':
        return `${TOO_SHORT.slice(0, -1)}${readAs}.`;
      case 'TOO_LONG':
        return `${TOO_LONG.slice(0, -1)}${readAs}.`;
      case 'INVALID_COUNTRY':
        return `${quote(number)} does not start with a known country code.`;
      case 'INVALID_LENGTH':
        return `That number has the wrong number of digits${readAs}.`;
      case 'NOT_A_NUMBER':
        return notAPhoneNumber(raw);
      default:
        return `${quote(number)} is not a possible phone number${readAs}.`;
    }
  }

  function normalizeHandle(raw: string, defaultRegion: RegionCode = DEFAULT_REGION): NormalizeResult {
    if (typeof raw !== 'string') return { ok: false, error: 'That is not a phone number.' };
    const pre = preParseHandle(raw);
    if (!pre.ok) return pre;

    const wanted = typeof defaultRegion === 'string' && defaultRegion.trim() !== '' ? defaultRegion : DEFAULT_REGION;
    const region = toRegion(wanted);
    if (!region && !pre.international) {
      return {
        ok: false,
        error: `The default region ${quote(wanted)} is not a known country code (use e.g. US or GB), so a number without +country code cannot be read.`,
      };
    }

    let parsed: ReturnType<PhoneLib['parsePhoneNumberFromString']>;
    try {
      parsed = lib.parsePhoneNumberFromString(pre.number, region ? { defaultCountry: region, extract: false } : { extract: false });
    } catch {
      return { ok: false, error: notAPhoneNumber(raw) };
    }
    if (!parsed || !parsed.isPossible()) {
      return { ok: false, error: lengthError(raw, pre.number, region, !pre.international) };
    }

    const result: NormalizeResult = { ok: true, e164: parsed.number, display: parsed.formatInternational() };
    if (pre.extension !== undefined) result.extension = pre.extension;
    return result;
  }

  function readDialable(raw: string, rules: DialRules): DialTarget {
    if (typeof raw !== 'string') return { ok: false, error: 'That is not a phone number.' };
    const input = raw.trim();
    const rule = rules.extensions;
    if (rule && /^\d+$/.test(input) && input.length >= rule.minDigits && input.length <= rule.maxDigits) {
      return { ok: true, number: input, internal: true };
    }
    const result = normalizeHandle(raw, rules.region);
    if (!result.ok) {
      // A short run of digits is most likely an extension: say which ones this deployment dials.
      if (/^\d{1,6}$/.test(input)) {
        const extensions = rule ? `extensions have ${rule.minDigits} to ${rule.maxDigits} digits` : 'no internal extensions are set up';
        return { ok: false, error: `${result.error.slice(0, -1)}; ${extensions}.` };
      }
      return result;
    }
    // What the call log and Front take as a phone number (contract/numbers.ts) is what may be dialled.
    if (!isE164(result.e164)) return { ok: false, error: `${quote(input)} is not a phone number that can be called.` };
    return { ok: true, number: result.e164, internal: false, ...(result.extension !== undefined ? { extension: result.extension } : {}) };
  }

  function formatForDisplay(e164: string, region?: RegionCode): string {
    // The contract's one E.164 rule: what the call log would take as a number is what we format.
    if (!isE164(e164)) return e164;
    try {
      const parsed = lib.parsePhoneNumberFromString(e164, { extract: false });
      if (!parsed) return e164;
      const home = region ? toRegion(region) : undefined;
      return home && parsed.country === home ? parsed.formatNational() : parsed.formatInternational();
    } catch {
      return e164;
    }
  }

  function isSupportedRegion(region: string): boolean {
    return typeof region === 'string' && toRegion(region) !== undefined;
  }

  return { normalizeHandle, readDialable, formatForDisplay, isSupportedRegion };
}
