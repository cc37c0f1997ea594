import { describe, expect, it } from 'vitest';
import { mapContext } from '../../src/front/sdk/mapContext';

const teammate = { id: 'tea_1', name: 'Ada', username: 'ada', email: 'ada@example.com' };

describe('reading Front plugin contexts', () => {
  it('reads a Call-button click with its timestamp as the click id', () => {
    const context = mapContext({
      id: 'ctx_9',
      type: 'noConversation',
      teammate,
      entryPoint: { type: 'CONTACT_HANDLE', data: { type: 'phone', handle: '(415) 555-0100', timestamp: 1700000000000 } },
      functionArities: {},
    });
    expect(context).toEqual({
      kind: 'context',
      id: 'ctx_9',
      type: 'noConversation',
      teammate: { id: 'tea_1', name: 'Ada', email: 'ada@example.com' },
      conversation: null,
      callRequest: { handle: '(415) 555-0100', clickId: 't:1700000000000' },
    });
  });

  it('falls back to the context id when Front sends no timestamp', () => {
    const context = mapContext({ id: 'ctx_3', type: 'background_mode', entryPoint: { type: 'CONTACT_HANDLE', data: { type: 'phone', handle: '+1 415' } } });
    expect(context).toMatchObject({ type: 'background_mode', callRequest: { clickId: 'c:ctx_3' } });
  });

  it('offers a phone recipient of a single conversation, not an email one', () => {
    const phone = mapContext({
      id: 'c1',
      type: 'singleConversation',
      teammate,
      conversation: { id: 'cnv_1', recipient: { handle: '+442079460958', name: 'Amelia', type: 'phone', contact: undefined } },
    });
    expect(phone).toMatchObject({ conversation: { id: 'cnv_1', phoneRecipient: { handle: '+442079460958', name: 'Amelia' } } });
    const email = mapContext({ id: 'c2', type: 'singleConversation', conversation: { id: 'cnv_2', recipient: { handle: 'a@b.c', type: 'email' } } });
    expect(email).toMatchObject({ conversation: { id: 'cnv_2', phoneRecipient: null } });
  });

  it('ignores other entry points and unknown context types', () => {
    expect(mapContext({ id: 'c', type: 'somethingNew', entryPoint: { type: 'SIDE_PANEL' } })).toMatchObject({ type: 'other', callRequest: null });
  });

  // Proved: removing the base ContextSchema check in src/front/sdk/mapContext.ts makes this fail (2026-12-02).
  it.each([null, 'x', {}, { id: 1 }, { type: 'noConversation' }])('refuses a context that is not one (%j)', (raw) => {
    expect(mapContext(raw)).toBeNull();
  });
});
