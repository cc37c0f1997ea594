/**
 * The Front host port: what the plugin needs from Front, in the plugin's own terms. Only the
 * adapter in `sdk/` knows the Plugin SDK; the rest of the app sees these types.
 *
 * States of a host:
 *
 *     waiting --first context--> connected --contexts...-->
 *     waiting --no answer within the timeout, or not embedded--> unavailable
 *
 * Rules:
 * - `subscribe` MUST deliver every context Front sends, in order, as a {@link HostContext}, and the
 *   latest one at once to a new listener. It MUST return a function that stops delivery.
 * - A host that is not inside Front MUST say so with `{ kind: 'unavailable' }` and reject every
 *   function with `HostError('not_in_front')`.
 * - Functions act on Front's LATEST context. A function that context does not offer MUST reject
 *   with `HostError('unavailable')`; any refusal from Front rejects with `HostError('rejected')`.
 * - A call request (the Call button) is delivered as part of the context; the host MUST NOT
 *   de-duplicate it (the same context may legitimately arrive twice: that is the caller's job).
 * - A malformed message from Front (a context update without a context object, without
 *   functionArities, ...) MUST be ignored: it MUST NOT end delivery of the contexts that follow,
 *   and functions keep acting on the latest well-formed context. A host that can tell such
 *   messages apart reports each one to its `onProblem` listeners.
 */

export type HostContextType =
  | 'noConversation'
  | 'singleConversation'
  | 'multiConversations'
  | 'messageComposer'
  | 'message'
  | 'background_mode'
  | 'other';

export interface FrontTeammate {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}

export interface FrontConversation {
  readonly id: string;
  /** The recipient's handle when it is a phone number (recipient type 'phone'). */
  readonly phoneRecipient: { readonly handle: string; readonly name?: string } | null;
}

/** The Call button next to a phone handle: Front's CONTACT_HANDLE entry point. */
export interface CallRequest {
  /** The handle as Front displays it, unparsed. */
  readonly handle: string;
  /** Identifies one click: Front's timestamp, or the context id when Front sends none. */
  readonly clickId: string;
}

export type HostContext =
  | { readonly kind: 'waiting' }
  | { readonly kind: 'unavailable'; readonly reason: string }
  | {
      readonly kind: 'context';
      readonly id: string;
      readonly type: HostContextType;
      readonly teammate: FrontTeammate | null;
      readonly conversation: FrontConversation | null;
      readonly callRequest: CallRequest | null;
    };

export interface FrontTag {
  readonly id: string;
  readonly name: string;
}

export type HostNotification =
  | { readonly type: 'INCOMING_CALL'; readonly contact: { readonly name: string; readonly handle?: string } }
  | { readonly type: 'SUCCESS_MESSAGE' | 'ERROR_MESSAGE'; readonly title: string; readonly message: string };

export type HostErrorCode = 'not_in_front' | 'unavailable' | 'rejected';

export class HostError extends Error {
  readonly code: HostErrorCode;
  constructor(code: HostErrorCode, message: string) {
    super(message);
    this.name = 'HostError';
    this.code = code;
  }
}

/** Something Front sent that the host ignored; for the plugin's diagnostics. */
export interface HostProblem {
  readonly code: 'malformed_context' | 'context_subscription_lost';
  readonly message: string;
}

export interface FrontHost {
  subscribe(listener: (context: HostContext) => void): () => void;
  /** Reports each ignored message from now on; returns a function that stops reporting. */
  onProblem?(listener: (problem: HostProblem) => void): () => void;
  /** Shows a notification; resolves with its id. */
  displayNotification(notification: HostNotification): Promise<string>;
  /** Removes an in-app banner (a desktop notification cannot be removed). */
  dismissNotification(id: string): Promise<void>;
  /** Every tag the teammate can use, across all pages. */
  listTags(): Promise<FrontTag[]>;
  /** Every teammate of the company, across all pages (for transfers; see the deployment's directory). */
  listTeammates(): Promise<FrontTeammate[]>;
  /** Tags the conversation open in the latest context. */
  tagConversation(tagIds: readonly string[]): Promise<void>;
  openUrl(url: string): Promise<void>;
}
