/**
 * Builds the contexts Front sends: which functions each context type offers (as in ui-bridge's
 * contextTypesV2.d.ts, limited to the ones the workspace implements) and the plain data around them.
 */
import { COMPANY, PREFERENCES, TEAMMATE } from './fixtures';
import type { FrontContext, FrontContextType, FrontConversation, FrontEntryPoint, FrontSingleConversation } from './frontTypes';

/** Every context (ApplicationContextBase). Arity counts the trailing cancel token. */
const BASE = { openUrl: 2, listTags: 2, listChannels: 2, listTeammates: 2 } as const;
/** NotificationContextBase: background_mode, noConversation, singleConversation, multiConversations. */
const NOTIFICATIONS = { displayNotification: 2, dismissNotification: 2 } as const;
/** ExistingConversationBaseContext: the conversations the teammate has selected. */
const CONVERSATION = { tag: 2, untag: 2 } as const;

export const FUNCTION_ARITIES: Readonly<Record<FrontContextType, Readonly<Record<string, number>>>> = {
  background_mode: { ...BASE, ...NOTIFICATIONS },
  noConversation: { ...BASE, ...NOTIFICATIONS },
  singleConversation: { ...BASE, ...NOTIFICATIONS, ...CONVERSATION },
  multiConversations: { ...BASE, ...NOTIFICATIONS, ...CONVERSATION },
};

let counter = 0;

/** A fresh context id, as Front gives every context it sends. */
export function newContextId(): string {
  counter += 1;
  return `ctx_${Date.now().toString(36)}${counter.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

function base(type: FrontContextType, entryPoint: FrontEntryPoint | undefined) {
  return {
    id: newContextId(),
    entryPointId: 'ept_softphone_sidebar',
    hostId: 'hst_local_workspace',
    // A type the workspace does not model (from a test's sendContext) gets the functions every context has.
    functionArities: (FUNCTION_ARITIES[type] as Readonly<Record<string, number>> | undefined) ?? BASE,
    preferences: PREFERENCES,
    authentication: { status: 'authorized' as const },
    teammate: TEAMMATE,
    company: COMPANY,
    entryPoint,
  };
}

export function backgroundContext(): FrontContext {
  return { ...base('background_mode', { type: 'SIDE_PANEL' }), type: 'background_mode' };
}

export function noConversationContext(entryPoint: FrontEntryPoint): FrontContext {
  return { ...base('noConversation', entryPoint), type: 'noConversation' };
}

export function singleConversationContext(conversation: FrontSingleConversation, entryPoint: FrontEntryPoint): FrontContext {
  return { ...base('singleConversation', entryPoint), type: 'singleConversation', conversation };
}

export function multiConversationsContext(conversations: readonly FrontConversation[], entryPoint: FrontEntryPoint): FrontContext {
  return { ...base('multiConversations', entryPoint), type: 'multiConversations', conversations };
}

/** The entry point of a click on "Call" next to a phone handle: a new timestamp per click. */
export function contactHandleEntryPoint(handle: string, timestamp = Date.now()): FrontEntryPoint {
  return { type: 'CONTACT_HANDLE', data: { type: 'phone', handle, timestamp } };
}

/**
 * Completes a context handed in by a test or the console: a missing id becomes a fresh one and
 * missing functionArities those of its type. Anything else is delivered as given.
 */
export function completeContext(partial: Partial<FrontContext> & { type: FrontContextType }): FrontContext {
  return { ...base(partial.type, partial.entryPoint), ...partial } as FrontContext;
}
