import * as v from 'valibot';
import type { HostContext, HostContextType } from '../host';

/**
 * Reads the parts of a Front plugin context the softphone uses. The context is data from another
 * window: it is checked, never trusted, and anything unexpected degrades to "no such data" rather
 * than an error (Front adds fields over time).
 */
const KNOWN_TYPES: readonly HostContextType[] = [
  'noConversation',
  'singleConversation',
  'multiConversations',
  'messageComposer',
  'message',
  'background_mode',
];

const text = v.pipe(v.string(), v.maxLength(500));
const idLike = v.union([text, v.pipe(v.number(), v.transform(String))]);

const TeammateSchema = v.object({ id: idLike, name: v.optional(text, ''), email: v.optional(text, '') });
const RecipientSchema = v.object({ handle: text, name: v.optional(v.nullable(text)), type: v.optional(text) });
const ConversationSchema = v.object({ id: idLike, recipient: v.optional(v.nullable(RecipientSchema)) });
const EntryPointSchema = v.object({
  type: v.literal('CONTACT_HANDLE'),
  data: v.object({ type: v.literal('phone'), handle: text, timestamp: v.optional(v.number()) }),
});
const ContextSchema = v.object({ id: idLike, type: text });

export function mapContext(raw: unknown): HostContext | null {
  const base = v.safeParse(ContextSchema, raw);
  if (!base.success) return null;
  const context = raw as Record<string, unknown>;
  const type = (KNOWN_TYPES as readonly string[]).includes(base.output.type) ? (base.output.type as HostContextType) : 'other';

  const teammate = v.safeParse(TeammateSchema, context.teammate);
  const conversation = type === 'singleConversation' ? v.safeParse(ConversationSchema, context.conversation) : null;
  const entryPoint = v.safeParse(EntryPointSchema, context.entryPoint);

  const recipient = conversation?.success ? conversation.output.recipient : null;
  return {
    kind: 'context',
    id: base.output.id,
    type,
    teammate: teammate.success ? teammate.output : null,
    conversation: conversation?.success
      ? {
          id: conversation.output.id,
          phoneRecipient:
            recipient && recipient.type === 'phone'
              ? { handle: recipient.handle, ...(recipient.name ? { name: recipient.name } : {}) }
              : null,
        }
      : null,
    callRequest: entryPoint.success
      ? {
          handle: entryPoint.output.data.handle,
          clickId: entryPoint.output.data.timestamp !== undefined ? `t:${entryPoint.output.data.timestamp}` : `c:${base.output.id}`,
        }
      : null,
  };
}
