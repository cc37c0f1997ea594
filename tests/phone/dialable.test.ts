import { beforeAll, describe, expect, it } from 'vitest';
import { loadPhoneTools, type PhoneTools } from '../../src/phone';

let tools: PhoneTools;
beforeAll(async () => {
  tools = await loadPhoneTools();
});

const US = { region: 'US', extensions: null };
const US_EXT = { region: 'US', extensions: { minDigits: 2, maxDigits: 6 } };

describe('readDialable: the one reading of a dialled number', () => {
  it.each([
    ['(415) 555-0100', '+14155550100'],
    ['415.555.0100', '+14155550100'],
    ['+1 415 555 0100', '+14155550100'],
    ['tel:+44-20-7946-0958', '+442079460958'],
  ])('%j -> %s', (raw, e164) => {
    expect(tools.readDialable(raw, US)).toEqual({ ok: true, number: e164, internal: false });
  });

  it('keeps an extension apart, to be sent as tones', () => {
    expect(tools.readDialable('415 555 0100 ext. 42', US)).toEqual({ ok: true, number: '+14155550100', extension: '42', internal: false });
  });

  it.each(['123', '+0 123', '+999999999999999', 'abc', '', 'sip:a@b.c', '1'.repeat(16)])('refuses %j with a message', (raw) => {
    const result = tools.readDialable(raw, US);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toMatch(/\.$/);
  });

  it('extensions follow the rule: in range dialled as typed, digits only; off means refused', () => {
    expect(tools.readDialable('42', US_EXT)).toEqual({ ok: true, number: '42', internal: true });
    expect(tools.readDialable('123456', US_EXT)).toEqual({ ok: true, number: '123456', internal: true });
    expect(tools.readDialable('1234567', US_EXT).ok).toBe(false);
    expect(tools.readDialable('1', US_EXT).ok).toBe(false);
    expect(tools.readDialable('12-34', US_EXT).ok).toBe(false);
    expect(tools.readDialable('42', US).ok).toBe(false);
  });

  it('the region reads national numbers', () => {
    expect(tools.readDialable('020 7946 0958', { region: 'GB', extensions: null })).toEqual({ ok: true, number: '+442079460958', internal: false });
  });
});

describe('formatForDisplay', () => {
  it('national format for the default region, international otherwise, anything else as given', () => {
    expect(tools.formatForDisplay('+14155550100', 'US')).toBe('(415) 555-0100');
    expect(tools.formatForDisplay('+442079460958', 'US')).toBe('+44 20 7946 0958');
    expect(tools.formatForDisplay('+442079460958', 'GB')).toBe('020 7946 0958');
    expect(tools.formatForDisplay('+14155550100')).toBe('+1 415 555 0100');
    expect(tools.formatForDisplay('1234', 'US')).toBe('1234');
    expect(tools.formatForDisplay('anonymous', 'US')).toBe('anonymous');
  });
});
