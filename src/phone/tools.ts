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
import { DEFAULT_REGION, type NormalizeResult, type PhoneTools, type RegionCode } from './types';
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

  function formatForDisplay(e164: string): string {
    // The contract's one E.164 rule: what the call log would take as a number is what we format.
    if (!isE164(e164)) return e164;
    try {
      const parsed = lib.parsePhoneNumberFromString(e164, { extract: false });
      return parsed ? parsed.formatInternational() : e164;
    } catch {
      return e164;
    }
  }

  function isSupportedRegion(region: string): boolean {
    return typeof region === 'string' && toRegion(region) !== undefined;
  }

  return { normalizeHandle, formatForDisplay, isSupportedRegion };
}
