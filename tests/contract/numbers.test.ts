// @vitest-environment node
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { isCallId, isE164 } from '../../contract';
import { callIdSchema, e164Schema } from '../../contract/schemas';
import * as libphonenumber from 'libphonenumber-js/min';
import { loadConfig } from '../../server/config';
import { createPhoneTools } from '../../src/phone/tools';

/**
 * The one E.164 rule and the call-id rule, as both sides apply them: the plugin with the plain
 * predicates (before queuing a report, before formatting a number), the server with the schemas
 * built on the same expressions. Proved to guard: loosening E164 to `\d{1,14}` (the phone
 * module's old rule) fails "+1234" below; dropping the `[1-9]` fails "+0123456789"; widening
 * CALL_ID to any character fails the space and non-ASCII ids; the phone module keeping its old
 * `\d{1,14}` fails the formatting test.
 */
const E164_ACCEPTED = ['+14155550100', '+442071838750', '+33612345678', '+80012345678', '+12345', '+123456789012345'];
const E164_REFUSED = [
  '14155550100', // no plus
  '+0123456789', // country codes do not start with 0
  '+1234', // 4 digits: an extension or a service code dressed up
  '+1234567890123456', // 16 digits
  '+1 415 555 0100', // spaces
  '+1-415-555-0100',
  '+1415555010a',
  '201', // an extension
  '',
  ' +14155550100',
  '+14155550100\n',
];

const CALL_IDS_ACCEPTED = ['a', 'sim-3', '3c2a1f0e-8e43-4a1b-9b52-0f7c0b1e2d3c', 'abc@10.0.0.1;tag=x', 'x'.repeat(128), '!~'];
const CALL_IDS_REFUSED = ['', 'x'.repeat(129), 'has space', 'tab\there', 'é-accent', 'line\nbreak'];

describe('the E.164 rule', () => {
  it.each(E164_ACCEPTED)('takes %j, on both sides', (number) => {
    expect(isE164(number)).toBe(true);
    expect(v.safeParse(e164Schema, number).success).toBe(true);
  });

  it.each(E164_REFUSED)('refuses %j, on both sides', (number) => {
    expect(isE164(number)).toBe(false);
    expect(v.safeParse(e164Schema, number).success).toBe(false);
  });

  it('refuses what is not a string', () => {
    for (const value of [14155550100, null, undefined, ['+14155550100']]) expect(isE164(value)).toBe(false);
  });

  it('is the rule the server applies to its own channel addresses', () => {
    const env = { FRONT_APP_UID: 'app_x', FRONT_APP_SECRET: 'a-secret-of-16-chars', ADMIN_TOKEN: 'an-admin-token-0123' };
    expect(loadConfig({ ...env, CHANNEL_ADDRESSES: '+14155550100=Support' }).channelAddresses).toEqual([{ address: '+14155550100', name: 'Support' }]);
    expect(() => loadConfig({ ...env, CHANNEL_ADDRESSES: '+1234' })).toThrow(/CHANNEL_ADDRESSES: "\+1234" is not an E.164 number/);
  });

  it('is the rule the plugin formats numbers by: what it refuses is shown as typed', () => {
    const tools = createPhoneTools(libphonenumber);
    expect(tools.formatForDisplay('+14155550100')).toBe('+1 415 555 0100');
    // libphonenumber would make "+1 234" of it, a number no call is logged with.
    expect(tools.formatForDisplay('+1234')).toBe('+1234');
  });
});

describe('the call-id rule', () => {
  it.each(CALL_IDS_ACCEPTED)('takes %j, on both sides', (id) => {
    expect(isCallId(id)).toBe(true);
    expect(v.safeParse(callIdSchema, id).success).toBe(true);
  });

  it.each(CALL_IDS_REFUSED)('refuses %j, on both sides', (id) => {
    expect(isCallId(id)).toBe(false);
    expect(v.safeParse(callIdSchema, id).success).toBe(false);
  });
});
