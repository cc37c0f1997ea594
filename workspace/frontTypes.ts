/**
 * Plain-data mirrors of the shapes Front sends a plugin, after `@frontapp/ui-bridge@2.0.0-beta19`
 * (`dist/internal/contextTypesV2.d.ts`, `conversationTypesV2.d.ts` and the files they import).
 * Ids are plain strings here (Front brands them); functions are never sent: a context lists the
 * names it supports in `functionArities` and the SDK proxies calls to them over the port.
 *
 * The workspace keeps its own copies so the dev tool does not import the vendor library the
 * plugin wraps; where a field is `T | undefined` in Front it is the same here, and it is always
 * present (as `undefined`), as structured clone keeps it.
 */

export interface FrontTeammate {
  readonly id: string;
  readonly name: string;
  readonly username: string;
  readonly email: string;
  readonly is_admin?: boolean;
}

export interface FrontCompany {
  readonly id: string;
  readonly name: string;
}

export interface FrontInbox {
  readonly id: string;
  readonly ownerId: string;
  readonly name: string;
  readonly color: string;
}

export type FrontChannelType =
  | 'companion'
  | 'custom'
  | 'aircall'
  | 'dialpad'
  | 'email'
  | 'frontChat'
  | 'ringcentral'
  | 'talkdesk'
  | 'twilio'
  | 'whatsapp';

export interface FrontChannel {
  readonly id: string;
  readonly type: FrontChannelType;
  readonly inbox: FrontInbox;
  readonly name: string;
  readonly address: string;
}

export interface FrontTag {
  readonly id: string;
  /** A team id, a teammate id (private tag) or the literal 'company'. */
  readonly ownerId: string;
  readonly name: string;
  readonly parentTag: FrontTag | undefined;
}

export type FrontContactHandleType = 'email' | 'phone' | 'twitter' | 'custom' | 'whatsapp';

export interface FrontContactHandle {
  readonly type: FrontContactHandleType;
  readonly handle: string;
}

export interface FrontContact {
  readonly id: string;
  readonly name: string | undefined;
  readonly description: string | undefined;
  readonly handles: readonly FrontContactHandle[];
  readonly groupIds: readonly string[];
  readonly customAttributes: readonly never[];
}

export interface FrontRecipient {
  readonly handle: string;
  readonly name: string | undefined;
  readonly contact: FrontContact | undefined;
  /** The type of the handle: 'phone', 'email', ... */
  readonly type: string;
}

export type FrontConversationType = 'email' | 'phoneCall' | 'sms' | 'whatsapp' | 'custom';

export interface FrontConversation {
  readonly id: string;
  readonly type: FrontConversationType;
  readonly status: 'open' | 'archived' | 'trashed' | 'spam';
  readonly subject: string | undefined;
  readonly blurb: string | undefined;
  readonly assignee: FrontTeammate | undefined;
  readonly recipient: FrontRecipient | undefined;
  readonly channels: readonly FrontChannel[];
  readonly inboxes: readonly FrontInbox[];
  readonly tags: readonly FrontTag[];
  readonly topics: readonly never[];
  readonly links: readonly never[];
  readonly closedAt: number | undefined;
  readonly statusId: string | undefined;
  readonly statusCategory: 'open' | 'waiting' | 'resolved' | undefined;
  readonly ticketIds: readonly string[];
  readonly customFieldAttributes: readonly never[];
}

export interface FrontSingleConversation extends FrontConversation {
  readonly draftId: string | undefined;
}

/** How the plugin was opened (`context.entryPoint`). */
export type FrontEntryPoint =
  | { readonly type: 'CONTACT_HANDLE'; readonly data: { readonly type: 'phone'; readonly handle: string; readonly timestamp?: number } }
  | { readonly type: 'SIDE_PANEL' }
  | { readonly type: 'URL'; readonly data: { readonly customContextProperties: Readonly<Record<string, string>> } }
  | { readonly type: 'COMPOSER_TOOLBAR' };

export interface FrontContextBase {
  readonly id: string;
  readonly entryPointId: string;
  readonly hostId: string;
  /** Function name -> arity, counting the trailing cancel token. */
  readonly functionArities: Readonly<Record<string, number>>;
  readonly preferences: object;
  readonly authentication: { readonly status?: 'authorized' };
  readonly teammate: FrontTeammate;
  readonly company: FrontCompany;
  readonly entryPoint: FrontEntryPoint | undefined;
}

export interface FrontBackgroundContext extends FrontContextBase {
  readonly type: 'background_mode';
}

export interface FrontNoConversationContext extends FrontContextBase {
  readonly type: 'noConversation';
}

export interface FrontSingleConversationContext extends FrontContextBase {
  readonly type: 'singleConversation';
  readonly conversation: FrontSingleConversation;
}

export interface FrontMultiConversationsContext extends FrontContextBase {
  readonly type: 'multiConversations';
  readonly conversations: readonly FrontConversation[];
}

/** The context types the workspace produces (a sidebar plugin never sees the composer ones). */
export type FrontContext =
  | FrontBackgroundContext
  | FrontNoConversationContext
  | FrontSingleConversationContext
  | FrontMultiConversationsContext;

export type FrontContextType = FrontContext['type'];

/** `displayNotification`'s argument (ui-bridge `EntryPointNotification`). */
export type FrontNotification =
  | { readonly type: 'INCOMING_CALL'; readonly contact?: { readonly name: string; readonly handle?: string } }
  | { readonly type: 'SUCCESS_MESSAGE' | 'ERROR_MESSAGE'; readonly title: string; readonly message: string };

/** What `listTags` and the other `list*` functions resolve to. */
export interface FrontPaginatedResults<T> {
  readonly results: readonly T[];
  readonly nextPageToken: string | undefined;
}
