import { beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_REGION, loadPhoneTools, type PhoneTools } from '../../src/phone';
import { MAX_EXTENSION_DIGITS, MAX_HANDLE_LENGTH } from '../../src/phone/handle';
import { createPhoneToolsLoader } from '../../src/phone/loader';
import type { PhoneLib } from '../../src/phone/tools';

let tools: PhoneTools;
beforeAll(async () => {
  tools = await loadPhoneTools();
});

const ok = (raw: string, region?: string) => {
  const r = tools.normalizeHandle(raw, region);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(raw)} to normalise, got: ${r.error}`);
  return r;
};
const refused = (raw: string, region?: string) => {
  const r = tools.normalizeHandle(raw, region);
  if (r.ok) throw new Error(`expected ${JSON.stringify(raw)} to be refused, got ${r.e164}`);
  return r.error;
};
/** Text between the curly quotes of an error message. */
const quoted = (error: string) => /“([^”]*)”/.exec(error)?.[1];

describe('normalizeHandle: formats Front hands us', () => {
  it.each([
    ['(415) 555-0100', '+14155550100', '+1 415 555 0100'],
    ['+44 20 7946 0958', '+442079460958', '+44 20 7946 0958'],
    ['tel:+14155550123', '+14155550123', '+1 415 555 0123'],
    ['TEL:+14155550123', '+14155550123', '+1 415 555 0123'],
    ['  +1 (415) 555-0100  ', '+14155550100', '+1 415 555 0100'],
    ['1 415 555 0100', '+14155550100', '+1 415 555 0100'],
    ['011 44 20 7946 0958', '+442079460958', '+44 20 7946 0958'], // US international prefix
    ['\u00a0(415)\u00a0555\u20110100', '+14155550100', '+1 415 555 0100'], // nbsp, non-breaking hyphen
    ['+800 1234 5678', '+80012345678', '+800 1234 5678'], // non-geographic
  ])('%j -> %s', (raw, e164, display) => {
    const r = ok(raw, 'US');
    expect(r).toEqual({ ok: true, e164, display });
    expect(r).not.toHaveProperty('extension');
  });

  it.each([
    ['+1 415-555-0100 ext. 42', '42'],
    ['415.555.0100 x42', '42'],
    ['tel:+1-415-555-0100;ext=42', '42'],
    ['+1-415-555-0100;ext=42', '42'],
    ['415 555 0100 #42', '42'],
    ['415-555-0100 EXT 7', '7'],
    ['415-555-0100 Ext.007', '007'], // leading zeros are DTMF digits too
    ['4155550100X1234567890', '1234567890'], // 10 digits: the maximum
  ])('keeps the extension of %j separately', (raw, extension) => {
    expect(ok(raw)).toEqual({ ok: true, e164: '+14155550100', display: '+1 415 555 0100', extension });
  });

  it('handles RFC 3966 parameters safely', () => {
    // a numeric phone-context is the prefix of a local number (RFC 3966 §5.1.5)
    expect(ok('tel:555-0100;phone-context=+1-415').e164).toBe('+14155550100');
    // a domain context means nothing to us: ignored, the number is read in the default region
    expect(ok('tel:415-555-0100;phone-context=example.com').e164).toBe('+14155550100');
    // a global number ignores phone-context entirely
    expect(ok('tel:+44-20-7946-0958;phone-context=+1').e164).toBe('+442079460958');
    expect(ok('tel:+14155550100;isub=1234;ext=9;foo=bar').extension).toBe('9');
    expect(ok('tel:+14155550100;').e164).toBe('+14155550100');
  });

  it('accepts possible-but-not-valid numbers (test and unallocated ranges)', () => {
    // Twilio magic test numbers: possible (and valid in the bundled metadata)
    for (const n of ['+15005550001', '+15005550002', '+15005550003', '+15005550004', '+15005550005']) {
      expect(ok(n).e164).toBe(n);
    }
    // possible but *not* isValid() in libphonenumber's metadata; we still let them through
    expect(ok('+1 555 555 0100').e164).toBe('+15555550100');
    expect(ok('+44 7700 900123').e164).toBe('+447700900123');
  });
});

describe('normalizeHandle: refusals', () => {
  it.each([
    ['call me maybe', '“call me maybe” is not a phone number.'],
    ['', 'There is no phone number to call.'],
    ['   ', 'There is no phone number to call.'],
    ['1'.repeat(80), 'That number is too long.'],
    ['sip:bob@example.com', 'Only phone numbers can be called, not “sip:” links.'],
    ['javascript:alert(1)', 'Only phone numbers can be called, not “javascript:” links.'],
    ['http://example.com/+14155550100', 'Only phone numbers can be called, not “http:” links.'],
    ['1-800-FLOWERS', '“1-800-FLOWERS” is not a phone number.'],
    ['tel:+14155550100;javascript:alert(1)', '“tel:+14155550100;javascript:alert(1)” is not a phone number.'],
    ['tel:tel:+14155550100', '“tel:tel:+14155550100” is not a phone number.'],
    ['++14155550100', '“++14155550100” is not a phone number.'],
    ['+1 415 + 555 0100', '“+1 415 + 555 0100” is not a phone number.'],
    ['x42', '“x42” is not a phone number.'],
    ['()-.', '“()-.” is not a phone number.'],
    ['４１５５５５０１００', '“４１５５５５０１００” is not a phone number.'], // full-width digits
    ['+14155550100 x4a', '“+14155550100 x4a” is not a phone number.'],
    ['+14155550100 x', 'The extension has no digits.'],
    ['+14155550100 x 4-2', 'The extension can only contain digits.'],
    ['+14155550100 x12345678901', 'That extension is too long (at most 10 digits).'],
    ['tel:+14155550100;ext=12345678901', 'That extension is too long (at most 10 digits).'],
    ['415 555 0100 x42;ext=43', 'That number has two extensions.'],
    ['tel:+14155550100;ext=1;ext=2', 'That number has two extensions.'],
    ['+1415555010', 'That number is too short.'],
    ['555-0100', 'That number is too short (read as a US number).'],
    ['12', 'That number is too short (read as a US number).'],
    ['+1 41555501000', 'That number is too long.'],
    ['1234567890123456789012345', 'That number is too long (read as a US number).'],
    ['+999 1234567', '“+999 1234567” does not start with a known country code.'],
  ])('%j -> %j', (raw, error) => {
    expect(refused(raw)).toBe(error);
  });

  it('never quotes more than 40 characters of the input, nor invisible characters', () => {
    const long = refused('please call me back at the office tomorrow');
    expect(quoted(long)).toHaveLength(40);
    expect(quoted(long)).toMatch(/…$/);
    const scheme = refused(`${'a'.repeat(60)}:1`);
    expect(quoted(scheme)!.length).toBeLessThanOrEqual(40);
    expect(refused('\u202ecall me\u0000')).toBe('“call me” is not a phone number.');
    expect(refused('\u200b')).toBe('That is not a phone number.');
  });

  it(`refuses anything longer than ${MAX_HANDLE_LENGTH} characters before parsing`, () => {
    const atLimit = `+1 415 555 0100${' '.repeat(MAX_HANDLE_LENGTH - 18)}x42`;
    expect(atLimit).toHaveLength(MAX_HANDLE_LENGTH);
    expect(ok(atLimit).extension).toBe('42');
    expect(refused(atLimit.replace('x42', ' x42'))).toBe('That number is too long.');
    expect(ok(`  ${'(415) 555-0100'}  `).e164).toBe('+14155550100'); // surrounding spaces do not count
  });

  it('never throws and only ever returns E.164 + digit extensions (property)', () => {
    const handle = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.stringMatching(/^(tel:|TEL:)?\+?[\d ().-]{0,20}((ext\.?|EXT|x|X|#) ?\d{0,12})?(;ext=\d{0,12})?$/),
    );
    fc.assert(
      fc.property(handle, fc.constantFrom(undefined, 'US', 'GB', 'zz', ''), (raw, region) => {
        const r = tools.normalizeHandle(raw, region);
        if (r.ok) {
          expect(r.e164).toMatch(/^\+[1-9]\d{1,14}$/);
          if (r.extension !== undefined) expect(r.extension).toMatch(new RegExp(`^\\d{1,${MAX_EXTENSION_DIGITS}}$`));
          expect(r.display.replace(/\D/g, '')).toBe(r.e164.slice(1));
        } else {
          expect(r.error.length).toBeLessThan(160);
          const q = quoted(r.error);
          if (q !== undefined) expect(Array.from(q).length).toBeLessThanOrEqual(40);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('normalizeHandle: region', () => {
  it(`defaults to ${DEFAULT_REGION}`, () => {
    expect(DEFAULT_REGION).toBe('US');
    expect(ok('(415) 555-0100').e164).toBe('+14155550100');
    expect(ok('(415) 555-0100', '').e164).toBe('+14155550100'); // blank setting = not configured
  });

  it('reads national numbers in the region given', () => {
    expect(ok('020 7946 0958', 'GB')).toEqual({ ok: true, e164: '+442079460958', display: '+44 20 7946 0958' });
    expect(ok('020 7946 0958', 'gb').e164).toBe('+442079460958'); // case-insensitive
    expect(ok('00 1 415 555 0100', 'GB').e164).toBe('+14155550100'); // GB international prefix
    expect(refused('020 7946 0958')).toBe('That number is too long (read as a US number).');
    // a number with its own country code ignores the region
    expect(ok('+1 415 555 0100', 'GB').e164).toBe('+14155550100');
  });

  it('refuses national numbers when the configured region is unknown, instead of guessing', () => {
    expect(refused('020 7946 0958', 'UK')).toBe(
      'The default region “UK” is not a known country code (use e.g. US or GB), so a number without +country code cannot be read.',
    );
    // international numbers do not need the region, so they still work
    expect(ok('+44 20 7946 0958', 'UK').e164).toBe('+442079460958');
    expect(tools.isSupportedRegion('gb')).toBe(true);
    expect(tools.isSupportedRegion('UK')).toBe(false);
    expect(tools.isSupportedRegion('')).toBe(false);
  });
});

describe('formatForDisplay', () => {
  it('formats E.164 internationally', () => {
    expect(tools.formatForDisplay('+14155550100')).toBe('+1 415 555 0100');
    expect(tools.formatForDisplay('+442079460958')).toBe('+44 20 7946 0958');
    expect(tools.formatForDisplay('+80012345678')).toBe('+800 1234 5678');
  });

  it('returns what it cannot parse unchanged', () => {
    for (const s of ['', 'anonymous', '4155550100', '+1 415 555 0100', '+9991234567', 'tel:+14155550100', '+0123']) {
      expect(tools.formatForDisplay(s)).toBe(s);
    }
  });
});

describe('loading', () => {
  it('loads once and shares the promise; phoneToolsIfLoaded reflects it', async () => {
    vi.resetModules(); // fresh module state, nothing loaded yet
    const phone = await import('../../src/phone');
    expect(phone.phoneToolsIfLoaded()).toBeNull();
    const first = phone.loadPhoneTools();
    expect(phone.loadPhoneTools()).toBe(first);
    const loaded = await first;
    expect(phone.phoneToolsIfLoaded()).toBe(loaded);
    expect(phone.loadPhoneTools()).toBe(first);
    expect(loaded.formatForDisplay('+14155550100')).toBe('+1 415 555 0100');
  });

  it('forgets a failed load so the next call retries', async () => {
    const lib = await import('libphonenumber-js/min');
    const importer = vi
      .fn<() => Promise<PhoneLib>>()
      .mockRejectedValueOnce(new Error('chunk failed to load'))
      .mockResolvedValue(lib);
    const loader = createPhoneToolsLoader(importer);

    const a = loader.load();
    expect(loader.load()).toBe(a); // concurrent callers share the failing attempt
    await expect(a).rejects.toThrow('chunk failed to load');
    expect(loader.ifLoaded()).toBeNull();

    const b = loader.load();
    expect(b).not.toBe(a);
    const loaded = await b;
    expect(loader.ifLoaded()).toBe(loaded);
    expect(loader.load()).toBe(b);
    expect(importer).toHaveBeenCalledTimes(2);
  });
});
