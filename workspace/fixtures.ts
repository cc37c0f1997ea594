/**
 * The pretend Front account the workspace shows: one teammate, a voice channel, a few contacts
 * whose phone handles are written the many ways people write them, conversations, and tags.
 */
import type { FrontChannel, FrontCompany, FrontContact, FrontInbox, FrontSingleConversation, FrontTag, FrontTeammate } from './frontTypes';

export const TEAMMATE: FrontTeammate = {
  id: 'tea_5f2k1',
  name: 'Alex Morgan',
  username: 'alex',
  email: 'alex@acme-support.example',
  is_admin: false,
};

export const OTHER_TEAMMATES: readonly FrontTeammate[] = [
  { id: 'tea_5f2k2', name: 'Priya Shah', username: 'priya', email: 'priya@acme-support.example', is_admin: true },
  { id: 'tea_5f2k3', name: 'Tom Becker', username: 'tom', email: 'tom@acme-support.example', is_admin: false },
];

export const COMPANY: FrontCompany = { id: 'cmp_acme', name: 'Acme Support' };

export const PREFERENCES = {};

const SUPPORT_INBOX: FrontInbox = { id: 'inb_3k9', ownerId: 'tim_support', name: 'Support', color: '#3b82f6' };

export const VOICE_CHANNEL: FrontChannel = {
  id: 'cha_voice1',
  type: 'custom',
  inbox: SUPPORT_INBOX,
  name: 'Support line',
  address: '+14155550199',
};

export const EMAIL_CHANNEL: FrontChannel = {
  id: 'cha_mail1',
  type: 'email',
  inbox: SUPPORT_INBOX,
  name: 'support@acme-support.example',
  address: 'support@acme-support.example',
};

export const CHANNELS: readonly FrontChannel[] = [VOICE_CHANNEL, EMAIL_CHANNEL];

const CALLS_TAG: FrontTag = { id: 'tag_calls', ownerId: 'company', name: 'Calls', parentTag: undefined };

/** Eight tags: three pages at `TAG_PAGE_SIZE`, so a plugin that reads one page misses some. */
export const TAGS: readonly FrontTag[] = [
  { id: 'tag_billing', ownerId: 'company', name: 'Billing', parentTag: undefined },
  { id: 'tag_callback', ownerId: 'company', name: 'Callback requested', parentTag: undefined },
  { id: 'tag_complaint', ownerId: 'company', name: 'Complaint', parentTag: undefined },
  { id: 'tag_saleslead', ownerId: 'tim_sales', name: 'Sales lead', parentTag: undefined },
  { id: 'tag_support', ownerId: 'tim_support', name: 'Support', parentTag: undefined },
  { id: 'tag_vip', ownerId: 'company', name: 'VIP', parentTag: undefined },
  CALLS_TAG,
  { id: 'tag_wrongnumber', ownerId: 'company', name: 'Wrong number', parentTag: CALLS_TAG },
];

export const TAG_PAGE_SIZE = 3;

function contact(id: string, name: string, phone: string, email?: string): FrontContact {
  return {
    id,
    name,
    description: undefined,
    handles: [{ type: 'phone', handle: phone }, ...(email ? [{ type: 'email' as const, handle: email }] : [])],
    groupIds: [],
    customAttributes: [],
  };
}

/** Contacts with a phone handle, each written as someone typed it into Front. */
export const CONTACTS: readonly FrontContact[] = [
  contact('crd_jordan', 'Jordan Lee', '(415) 555-0100', 'jordan.lee@example.com'),
  contact('crd_amelia', 'Amelia Hughes', '+44 20 7946 0958'),
  contact('crd_maria', 'Maria Garcia', 'tel:+14155550123', 'maria.garcia@example.com'),
  contact('crd_harbor', 'Harbor Dental front desk', '+1 415-555-0100 ext. 42'),
  contact('crd_kenji', 'Kenji Tanaka', '+81 3-1234-5678'),
  contact('crd_sam', 'Sam Rivera', 'call me maybe'),
];

function byId(id: string): FrontContact {
  const found = CONTACTS.find((c) => c.id === id);
  if (!found) throw new Error(`No contact ${id}`);
  return found;
}

/** A conversation without its tags: the workspace keeps those as state (`tag` changes them). */
export type ConversationFixture = Omit<FrontSingleConversation, 'tags'> & { readonly initialTagIds: readonly string[] };

function phoneConversation(id: string, subject: string, blurb: string, handle: string, contactId: string, tagIds: string[]): ConversationFixture {
  const person = byId(contactId);
  return {
    id,
    type: 'custom',
    status: 'open',
    subject,
    blurb,
    assignee: TEAMMATE,
    recipient: { handle, name: person.name, contact: person, type: 'phone' },
    channels: [VOICE_CHANNEL],
    inboxes: [SUPPORT_INBOX],
    topics: [],
    links: [],
    closedAt: undefined,
    statusId: undefined,
    statusCategory: undefined,
    ticketIds: [],
    customFieldAttributes: [],
    draftId: undefined,
    initialTagIds: tagIds,
  };
}

export const CONVERSATIONS: readonly ConversationFixture[] = [
  phoneConversation('cnv_order', 'Order #4411 never arrived', 'Voicemail: my parcel was due on Monday...', '+14155550123', 'crd_maria', ['tag_complaint']),
  phoneConversation('cnv_renewal', 'Renewal quote for 2026', 'Missed call, 0:00. Please call back about the quote.', '+14155550100', 'crd_jordan', []),
  phoneConversation('cnv_invoice', 'Question about invoice 2291', 'Call, 4:12. Customer asked for a corrected invoice.', '+442079460958', 'crd_amelia', ['tag_billing', 'tag_callback']),
  {
    ...phoneConversation('cnv_password', 'Password reset not working', 'Hi, the reset link says it has expired...', 'jordan.lee@example.com', 'crd_jordan', []),
    type: 'email',
    recipient: { handle: 'jordan.lee@example.com', name: 'Jordan Lee', contact: byId('crd_jordan'), type: 'email' },
    channels: [EMAIL_CHANNEL],
  },
];
