import type { Actor } from 'xstate';
import type { DialerMachine } from '../machine/dialerMachine';
import { describeParty } from '../machine/selectors';
import type { DialerEmitted } from '../machine/types';
import type { FrontConversation, FrontHost, HostContext } from './host';
import type { FrontSession } from './session';

/**
 * The result of reading a handle as Front shows it (see src/phone): `e164` is the number to dial,
 * E.164 or, where the deployment dials them, an internal extension.
 */
export type NormalizedHandle = { ok: true; e164: string; extension?: string } | { ok: false; error: string };

export type FrontDiagnostic = { code: 'notification_failed' | 'dismiss_failed' | 'tags_failed' | 'tag_failed'; message: string; callId?: string };

export interface ConnectFrontOptions {
  host: FrontHost;
  session: FrontSession;
  /**
   * The dialer: sent Call-button numbers; heard through its emitted events, never its snapshots.
   * Its events raise Front's notifications: give the events of the machine that owns the phone,
   * in the tab that owns it only, so each is raised once whatever the number of tabs.
   */
  dialer: Pick<Actor<DialerMachine>, 'send' | 'on'>;
  /**
   * Where the calls' own events (CALL_STARTED, TAGS_SAVED) are heard in every tab, so the tab
   * whose conversation a call was dialled from (or is open on) applies its tags. Default: `dialer`.
   */
  calls?: Pick<Actor<DialerMachine>, 'on'>;
  /**
   * Normalises a phone handle. Answers at once when it can (the phone-number metadata is loaded),
   * else with a promise (it loads on first use).
   */
  normalize: (handle: string) => NormalizedHandle | Promise<NormalizedHandle>;
  /** Where refusals from Front are reported (never thrown, never silent). */
  report: (diagnostic: FrontDiagnostic) => void;
}

export interface FrontConnection {
  /** One-click call to a handle (the open conversation's recipient). */
  call(handle: string): Promise<void>;
  /** The Front conversation of the call on screen (dialled from, or open on its number); null if none. */
  conversationOf(callId: string): string | null;
  stop(): void;
}

/** Call-button clicks remembered to ignore re-deliveries of the same context. */
const REMEMBERED_CLICKS = 100;
/** Clicked numbers, and conversations waiting to be tagged, remembered at most (oldest go first). */
const REMEMBERED_NUMBERS = 20;
const REMEMBERED_TAGGED = 50;
/** Calls tracked as live at most (the machine has two at a time; a runaway guard if one never settles). */
const MAX_LIVE_CALLS = 10;

/**
 * Connects the call machine to Front:
 * - the Call button (CONTACT_HANDLE entry point) dials once per click: a context delivered again
 *   with the same click is ignored; numbers are normalised first and refused with a message;
 * - incoming calls raise one INCOMING_CALL notification each (a waiting call only with the sidebar
 *   closed), dismissed as soon as that call stops ringing for any reason, several ringing at once
 *   included; a missed call is followed by a message naming the caller (a busy caller only by
 *   that message). A rejected notification is reported and never stops the call from ringing;
 * - Front's tags (all pages) become the wrap-up tag list, and tags saved for a call are applied to
 *   the call's conversation when it is the one open in Front (or as soon as it is opened again).
 */
export function connectFront(options: ConnectFrontOptions): FrontConnection {
  const { host, session, dialer, normalize, report } = options;
  const clicks: string[] = [];
  let queue: Promise<void> = Promise.resolve();
  let stopped = false;

  let waiting = 0;
  const dispatch = (result: NormalizedHandle, conversationId: string | null, name: string | null) => {
    if (stopped) return;
    if (!result.ok) {
      dialer.send({ type: 'FRONT.DIAL_REFUSED', message: result.error });
      return;
    }
    if (conversationId) {
      conversationByNumber.delete(result.e164);
      conversationByNumber.set(result.e164, conversationId);
      while (conversationByNumber.size > REMEMBERED_NUMBERS) conversationByNumber.delete(conversationByNumber.keys().next().value!);
    }
    dialer.send({
      type: 'FRONT.DIAL_REQUEST',
      number: result.e164,
      ...(result.extension ? { extension: result.extension } : {}),
      ...(name ? { name } : {}),
    });
  };

  /**
   * Dials in the same task when the number can be read at once (the usual case: nothing, not even
   * a re-render, comes between the click and the dial); otherwise in order behind earlier clicks
   * still waiting for the phone-number metadata, so two quick clicks dial in the order made.
   */
  const requestCall = (handle: string, conversation: FrontConversation | null): Promise<void> => {
    const conversationId = conversation?.id ?? null;
    const name = contactName(handle, conversation);
    if (waiting === 0) {
      const result = normalize(handle);
      if (!(result instanceof Promise)) {
        dispatch(result, conversationId, name);
        return Promise.resolve();
      }
      waiting += 1;
      queue = queue.then(() => result).then((r) => dispatch(r, conversationId, name)).finally(() => (waiting -= 1));
      return queue;
    }
    waiting += 1;
    queue = queue
      .then(() => normalize(handle))
      .then((r) => dispatch(r, conversationId, name))
      .finally(() => (waiting -= 1));
    return queue;
  };

  // --- tags -------------------------------------------------------------------------------
  let loadingTags = false;
  const loadTags = () => {
    if (loadingTags || session.getState().host !== 'connected') return;
    loadingTags = true;
    host
      .listTags()
      .then((tags) => !stopped && session.setTags(tags))
      .catch((error: unknown) => report({ code: 'tags_failed', message: `Could not load Front's tags: ${messageOf(error)}` }))
      .finally(() => {
        loadingTags = false;
      });
  };

  /**
   * Conversations Call-button numbers were clicked in (until the call starts), the conversation
   * of the call on screen, and tags waiting for their conversation to open. All bounded: the
   * machine has one call at a time.
   */
  const conversationByNumber = new Map<string, string>();
  let callConversation: { callId: string; conversationId: string | null } | null = null;
  const pendingTags = new Map<string, readonly string[]>();

  const applyPendingTags = () => {
    const open = session.getState().conversation?.id;
    const tagIds = open ? pendingTags.get(open) : undefined;
    if (!open || !tagIds) return;
    pendingTags.delete(open);
    const known = new Set((session.getState().tags ?? []).map((t) => t.id));
    const ids = tagIds.filter((id) => known.has(id));
    if (ids.length === 0) return;
    host.tagConversation(ids).catch((error: unknown) => {
      report({ code: 'tag_failed', message: `Could not tag the conversation: ${messageOf(error)}` });
    });
  };

  const onContext = (context: HostContext) => {
    const wasConnected = session.getState().host === 'connected';
    // The click first: the dial must not wait for the UI to show the new context.
    if (context.kind === 'context' && context.callRequest) {
      const key = `${context.callRequest.clickId}|${context.callRequest.handle}`;
      if (!clicks.includes(key)) {
        clicks.push(key);
        if (clicks.length > REMEMBERED_CLICKS) clicks.shift();
        void requestCall(context.callRequest.handle, context.conversation);
      }
    }
    session.applyContext(context);
    if (context.kind !== 'context') return;
    if (!wasConnected) loadTags();
    applyPendingTags();
  };
  const stopHost = host.subscribe(onContext);

  /** A call belongs to the conversation it was dialled from, or to the open one with its number. */
  const rememberConversation = (callId: string, number: string) => {
    const requested = conversationByNumber.get(number) ?? null;
    conversationByNumber.delete(number);
    callConversation = { callId, conversationId: requested };
    const open = session.getState().conversation;
    if (requested || !open?.phoneRecipient) return;
    void Promise.resolve(normalize(open.phoneRecipient.handle)).then((result) => {
      if (result.ok && result.e164 === number && callConversation?.callId === callId) callConversation = { callId, conversationId: open.id };
    });
  };

  // --- incoming-call notifications --------------------------------------------------------
  /**
   * Each incoming call that has not stopped ringing, by call id (a ringing call and a waiting call
   * can ring together): its notification once raised, null while not (yet) raised.
   */
  const ringing = new Map<string, { notification: Promise<string | null> | null }>();
  /** Calls started and not yet ended: an incoming call while one is live is a waiting call. */
  const live = new Set<string>();

  const onCallStarted = ({ detail }: Extract<DialerEmitted, { type: 'CALL_STARTED' }>) => rememberConversation(detail.callId, detail.participant);

  /**
   * An incoming call raises INCOMING_CALL. A waiting call (another call is live) raises it only
   * with the sidebar closed (background_mode): with it open the plugin itself announces the call
   * (status region, waiting tone). The notification is raised a microtask later, so a caller
   * declined as busy in the same step (call waiting off) shows only the missed-call message.
   */
  const onStarted = ({ detail }: Extract<DialerEmitted, { type: 'CALL_STARTED' }>) => {
    const waitingCall = live.size > 0;
    live.add(detail.callId);
    while (live.size > MAX_LIVE_CALLS) live.delete(live.values().next().value!);
    if (detail.callType !== 'inbound') return;
    const entry: { notification: Promise<string | null> | null } = { notification: null };
    ringing.set(detail.callId, entry);
    if (waitingCall && session.getState().contextType !== 'background_mode') return;
    queueMicrotask(() => {
      if (stopped || ringing.get(detail.callId) !== entry) return;
      entry.notification = host
        .displayNotification({
          type: 'INCOMING_CALL',
          contact: { name: detail.name ?? detail.participant, handle: detail.participant },
        })
        .catch((error: unknown) => {
          report({ code: 'notification_failed', message: `Front did not show the incoming call: ${messageOf(error)}`, callId: detail.callId });
          return null;
        });
    });
  };

  const onEnded = ({ detail }: Extract<DialerEmitted, { type: 'CALL_ENDED' }>) => {
    live.delete(detail.callId);
  };

  /** Dismissed as soon as the call stops ringing, whatever the reason; a missed call says so. */
  const onRingingStopped = ({ detail }: Extract<DialerEmitted, { type: 'RINGING_STOPPED' }>) => {
    const entry = ringing.get(detail.callId);
    if (!entry) return;
    ringing.delete(detail.callId);
    void Promise.resolve(entry.notification).then(async (id) => {
      if (id != null) {
        await host.dismissNotification(id).catch((error: unknown) => {
          report({ code: 'dismiss_failed', message: `Could not dismiss the notification: ${messageOf(error)}`, callId: detail.callId });
        });
      }
      if (detail.reason !== 'missed') return;
      await host
        .displayNotification({ type: 'ERROR_MESSAGE', title: 'Missed call', message: `Missed call from ${describeParty(detail.caller)}` })
        .catch((error: unknown) => {
          report({ code: 'notification_failed', message: `Front did not show the missed call: ${messageOf(error)}`, callId: detail.callId });
        });
    });
  };

  /** Tags saved for a call go to its conversation (now, or when it is opened again). */
  const onTagsSaved = ({ detail }: Extract<DialerEmitted, { type: 'TAGS_SAVED' }>) => {
    const conversationId = callConversation?.callId === detail.callId ? callConversation.conversationId : null;
    if (detail.tags.length === 0 || conversationId === null) return;
    pendingTags.delete(conversationId);
    pendingTags.set(conversationId, detail.tags);
    while (pendingTags.size > REMEMBERED_TAGGED) pendingTags.delete(pendingTags.keys().next().value!);
    applyPendingTags();
  };

  const calls = options.calls ?? dialer;
  const subscriptions = [
    calls.on('CALL_STARTED', onCallStarted),
    calls.on('TAGS_SAVED', onTagsSaved),
    dialer.on('CALL_STARTED', onStarted),
    dialer.on('RINGING_STOPPED', onRingingStopped),
    dialer.on('CALL_ENDED', onEnded),
    dialer.on('WRAP_UP_STARTED', loadTags),
  ];

  return {
    call: (handle) => requestCall(handle, session.getState().conversation),
    conversationOf: (callId) => (callConversation?.callId === callId ? callConversation.conversationId : null),
    stop() {
      stopped = true;
      stopHost();
      for (const subscription of subscriptions) subscription.unsubscribe();
    },
  };
}

/**
 * The name Front gave the clicked handle: the open conversation's recipient when the click is on
 * its number (the Call button's entry point itself carries only the handle).
 */
function contactName(handle: string, conversation: FrontConversation | null): string | null {
  const recipient = conversation?.phoneRecipient;
  if (!recipient?.name) return null;
  const digits = (text: string) => text.replace(/[^\d+]/g, '');
  return digits(recipient.handle) === digits(handle) ? recipient.name : null;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
