/**
 * Turns reports (from the plugin and from the PBX) into Front requests in the outbox.
 *
 * Contract:
 * - Each report is handled atomically: either everything it implies (the call, its idempotency
 *   key, every Front request) is committed, or nothing is; the returned promise settles only after
 *   the commit. The outbox hears of the new requests only after the commit.
 * - Group commit: reports that arrive in the same turn of the event loop are applied one after the
 *   other, each in its own savepoint (a refused report rolls back alone), and committed together.
 * - Reports are idempotent. A plugin event is keyed by (call id, teammate, seq): the same report
 *   again is a `duplicate` and changes nothing; another report with a used seq is a conflict; a
 *   seq that skips ahead is refused with the one expected, so events apply in the plugin's order.
 *   A summary, recording or transcript is keyed by its content; a PBX event by its call and type.
 * - A plugin call and a PBX call about the same call become one Front call: by call id when both
 *   use the line's id, otherwise by parties and time (./../pbx/matching.ts).
 * - Ownership (./ownership.ts): a plugin's call ids are its teammate's own; a report about a call
 *   another teammate owns is refused with 403 and changes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { CallEventReport, PbxEvent, RecordingReport, SummaryReport, TranscriptReport } from '../api/schemas';
import type { CallRow, OutboxKind, Store } from '../db/database';
import { type CreateCallPayload, type RecordingJob, type TranscriptPayload, type UpdateCallPayload } from '../front/payloads';
import { HttpError } from '../http/router';
import { sha256Hex } from '../http/signature';
import type { Logger } from '../log';
import type { EndReason } from '../../contract';
import { mapStep, type LifecycleStep } from './mapping';
import { aliasKey, frontCallId, pbxFrontCallId } from './ownership';
import { formatSummary } from './summary';
import { matchPbxEvent, matchPluginStart, partiesOfPbxEvent, MAX_CALL_MS, type MatchCandidate } from '../pbx/matching';

export interface Teammate {
  email: string;
  extension: string | null;
}

const notYours = () =>
  new HttpError(403, 'not_your_call', 'This call belongs to another teammate: only its owner (or the PBX) may report about it.');

export interface ReportResult {
  status: 'accepted' | 'duplicate';
  /** The id Front knows the call by (differs from the reported id when merged into a PBX call). */
  callId: string;
  /** What was queued for Front: `create:ringing`, `status:connected`, `summary`... */
  queued: string[];
  /** Why nothing was queued, when nothing was. */
  note?: string;
}

export interface CallServiceOptions {
  store: Store;
  logger: Logger;
  /** Called after a commit that queued requests (seqs, ascending) for `callId`. */
  onQueued: (callId: string, seqs: readonly number[]) => void;
  recordingUrlPrefixes: readonly string[];
  pbxMatchWindowMs: number;
  /** The PBX webhook is on: a plugin's new call may be one the PBX reported first. */
  pbxEnabled: boolean;
  now?: () => number;
}

export interface CallService {
  reportEvent(teammate: Teammate, report: CallEventReport): Promise<ReportResult>;
  reportSummary(teammate: Teammate, report: SummaryReport): Promise<ReportResult>;
  reportRecording(teammate: Teammate, report: RecordingReport): Promise<ReportResult>;
  reportTranscript(teammate: Teammate, report: TranscriptReport): Promise<ReportResult>;
  pbxEvent(event: PbxEvent, rawBody: Buffer): Promise<ReportResult>;
}

/** Requests queued in the current transaction, by call. */
type Touched = Map<string, number[]>;

const DISPOSITION_REASON = {
  answered: 'remoteHangup',
  busy: 'busy',
  noAnswer: 'noAnswer',
  failed: 'failed',
  unknown: 'failed',
} as const satisfies Record<Exclude<PbxEvent['disposition'], 'cancelled'>, EndReason>;

function stepOfReport(report: CallEventReport): LifecycleStep {
  switch (report.type) {
    case 'CALL_STARTED':
      return { type: 'started' };
    case 'CALL_CONNECTED':
      return { type: 'connected' };
    case 'HOLD':
      return { type: 'hold' };
    case 'RESUME':
      return { type: 'resumed' };
    case 'CALL_ENDED':
      return { type: 'ended', reason: report.detail.reason };
  }
}

const candidateOf = (call: CallRow): MatchCandidate => ({
  id: call.id,
  direction: call.direction,
  remoteNumber: call.remoteNumber,
  localNumber: call.localNumber,
  extension: call.agentExtension,
  startedAt: call.startedAt,
  frontState: call.frontState,
  pbxCallId: call.pbxCallId,
  pbxLinked: call.pbxLinked,
});

export function createCallService({
  store,
  logger,
  onQueued,
  recordingUrlPrefixes,
  pbxMatchWindowMs,
  pbxEnabled,
  now = Date.now,
}: CallServiceOptions): CallService {
  interface Pending {
    fn: (touched: Touched) => ReportResult;
    resolve: (result: ReportResult) => void;
    reject: (error: unknown) => void;
  }
  let batch: Pending[] = [];

  /** Applies the reports of this turn, each in a savepoint, in one transaction; then answers them. */
  const flush = () => {
    const items = batch;
    batch = [];
    const outcomes: Array<{ ok: true; result: ReportResult; touched: Touched } | { ok: false; error: unknown }> = [];
    try {
      store.transaction(() => {
        for (const item of items) {
          const touched: Touched = new Map();
          try {
            outcomes.push({ ok: true, result: store.transaction(() => item.fn(touched)), touched });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The commit itself failed: nothing of this batch is stored.
      logger.error('could not store reports', { error, count: items.length });
      for (const item of items) item.reject(error);
      return;
    }
    items.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (!outcome.ok) {
        item.reject(outcome.error);
        return;
      }
      for (const [callId, seqs] of outcome.touched) onQueued(callId, seqs);
      item.resolve(outcome.result);
    });
  };

  /** Runs `fn` in this turn's transaction; after the commit, tells the outbox and settles. */
  const commit = (fn: (touched: Touched) => ReportResult): Promise<ReportResult> =>
    new Promise((resolve, reject) => {
      if (batch.length === 0) setImmediate(flush);
      batch.push({ fn, resolve, reject });
    });

  const enqueue = (touched: Touched, call: CallRow, kind: OutboxKind, payload: object, afterSeq: number | null = null): number => {
    const seq = store.enqueue({ callId: call.id, kind, payload: JSON.stringify(payload), afterSeq, now: now() });
    const seqs = touched.get(call.id);
    if (seqs) seqs.push(seq);
    else touched.set(call.id, [seq]);
    return seq;
  };

  /**
   * The call a teammate's plugin means by `ref`: its own (the store key is teammate + client id),
   * a PBX call it joined, or a PBX call with this id that is its own or nobody's. `foreign` is set
   * when the id only names calls of other teammates (the caller answers 403 where that matters).
   */
  const callOfTeammate = (owner: string, ref: string): { call: CallRow | null; foreign: boolean } => {
    const own = store.callOf(owner, ref) ?? store.callByAlias(aliasKey(owner, ref));
    if (own) return own.owner === owner ? { call: own, foreign: false } : { call: null, foreign: true };
    const pbxCall = store.callByPbxId(ref);
    if (pbxCall && (pbxCall.owner === owner || pbxCall.owner === null)) return { call: pbxCall, foreign: false };
    const foreign = pbxCall !== null || store.callsByClientRef(ref).some((c) => c.owner !== owner);
    return { call: null, foreign };
  };

  /** A PBX call nobody owned becomes the call of the first teammate who reports about it. */
  const claimIfUnowned = (call: CallRow, owner: string): void => {
    if (call.owner !== null) return;
    store.setOwner(call.id, owner, now());
    call.owner = owner;
  };

  /** The call a PBX event names by id: the PBX's own id, or the line's id a plugin uses too. */
  const callOfPbxId = (pbxCallId: string, extensionOwner: string | null): CallRow | null => {
    const known = store.callByPbxId(pbxCallId);
    if (known) return known;
    const byRef = store.callsByClientRef(pbxCallId);
    return byRef.find((c) => c.owner === extensionOwner) ?? (byRef.length === 1 ? byRef[0]! : null);
  };

  /**
   * The leg a new leg names as its parent, resolved to the conversation's first leg (Front threads
   * a transferred leg by the first leg's id). Another teammate's leg qualifies only when it was
   * transferred, with the same customer, and no other leg claimed it (the target of a transfer).
   */
  const parentOf = (owner: string, ref: string, remoteNumber: string): { parent: CallRow | null; claim: string | null } => {
    const { call, foreign } = callOfTeammate(owner, ref);
    if (call) return { parent: call, claim: null };
    if (!foreign) return { parent: null, claim: null };
    const handedOver = [...store.callsByClientRef(ref), ...[store.callByPbxId(ref)].filter((c) => c !== null)].find(
      (c) => c.owner !== owner && c.frontState === 'transferred' && c.remoteNumber === remoteNumber,
    );
    if (!handedOver) throw new HttpError(403, 'not_your_call', 'The parent call belongs to another teammate and was not transferred to this call.');
    const claim = `transfer-target:${handedOver.id}`;
    if (store.reportKeyHash(claim) !== null) throw new HttpError(403, 'not_your_call', 'Another leg already continues this transferred call.');
    return { parent: handedOver, claim };
  };

  /** Applies one lifecycle step: maps it, queues what Front must hear, records the new state. */
  const applyStep = (touched: Touched, call: CallRow, step: LifecycleStep, at: number, agentEmail: string | null): { queued: string[]; note?: string } => {
    const result = mapStep({ state: call.frontState, direction: call.direction, step, pbxReportsCall: call.pbxLinked });
    if (result.action === 'none') return { queued: [], note: result.why };
    if (result.action === 'create') {
      const party = call.remoteName ? { handle: call.remoteNumber, name: call.remoteName } : { handle: call.remoteNumber };
      const payload: CreateCallPayload = {
        external_call_id: call.id,
        initial_status: result.initialStatus,
        direction: call.direction,
        ...(call.direction === 'inbound' ? { from: party } : { to: party }),
        started_at: call.startedAt,
        ...(call.parentId ? { parent_external_call_id: call.parentId } : {}),
        ...(agentEmail ? { agent_email_address: agentEmail } : {}),
      };
      // A transferred leg is created after its parent, so Front can thread it.
      const parentCreate = call.parentId ? store.createOpOf(call.parentId) : null;
      const afterSeq = parentCreate && (parentCreate.state === 'pending' || parentCreate.state === 'inflight') ? parentCreate.seq : null;
      enqueue(touched, call, 'create', payload, afterSeq);
      store.setCallState(call.id, result.initialStatus, now());
      call.frontState = result.initialStatus;
      return { queued: [`create:${result.initialStatus}`] };
    }
    const payload: UpdateCallPayload = {
      call_status: result.status,
      occurred_at: at,
      ...(agentEmail ? { agent_email_address: agentEmail } : {}),
    };
    enqueue(touched, call, 'status', payload);
    store.setCallState(call.id, result.status, now());
    call.frontState = result.status;
    return { queued: [`status:${result.status}`] };
  };

  /** A keyed, content-addressed addition to a call (summary, recording, transcript). */
  const addToCall = (teammate: Teammate, ref: string, kind: OutboxKind, key: (call: CallRow) => string, payload: object): Promise<ReportResult> =>
    commit((touched) => {
      const { call, foreign } = callOfTeammate(teammate.email, ref);
      if (foreign) throw notYours();
      if (!call) throw new HttpError(404, 'unknown_call', 'No call with this id was reported: report its CALL_STARTED first.');
      claimIfUnowned(call, teammate.email);
      const hash = sha256Hex(JSON.stringify(payload));
      const k = `${kind}:${call.id}:${key(call)}`;
      if (store.reportKeyHash(k) !== null) return { status: 'duplicate', callId: call.id, queued: [] };
      enqueue(touched, call, kind, payload);
      store.insertReportKey(k, hash, call.id, now());
      return { status: 'accepted', callId: call.id, queued: [kind] };
    });

  return {
    reportEvent(teammate, report) {
      const ref = report.detail.callId;
      const reporter = teammate.email;
      const hash = sha256Hex(JSON.stringify(report));
      return commit((touched) => {
        const known = store.pluginEventHash(ref, reporter, report.seq);
        if (known !== null) {
          if (known !== hash) {
            throw new HttpError(409, 'seq_conflict', `Event ${report.seq} of this call was already reported with different content.`);
          }
          const { call } = callOfTeammate(reporter, ref);
          return { status: 'duplicate', callId: call?.id ?? frontCallId(reporter, ref), queued: [] };
        }
        const expected = store.lastPluginSeq(ref, reporter) + 1;
        if (report.seq !== expected) {
          throw new HttpError(409, 'out_of_order', `Expected event ${expected} of this call, got ${report.seq}: send events in order.`, {
            expectedSeq: expected,
          });
        }
        const found = callOfTeammate(reporter, ref);
        let call = found.call;
        let note: string | undefined;
        // Another teammate's call: refused. A CALL_STARTED is this teammate's own new call (its ids are its own).
        if (!call && found.foreign && report.type !== 'CALL_STARTED') throw notYours();
        if (!call) {
          if (report.type !== 'CALL_STARTED') {
            throw new HttpError(409, 'call_not_started', 'This call was never started: report its CALL_STARTED first.', { expectedType: 'CALL_STARTED' });
          }
          const d = report.detail;
          const parties = { direction: d.callType, remoteNumber: d.participant, localNumber: d.localNumber ?? null, extension: teammate.extension };
          const candidates = pbxEnabled ? store.pbxCallsForMatch(d.callType, d.participant, report.at - pbxMatchWindowMs, report.at + pbxMatchWindowMs) : [];
          // Only a PBX call that is this teammate's or nobody's can be joined.
          const joinable = candidates.filter((c) => c.owner === null || c.owner === reporter);
          const pbxCall = joinable.length > 0 ? matchPluginStart(joinable.map(candidateOf), { ...parties, at: report.at }, pbxMatchWindowMs) : null;
          if (pbxCall) {
            store.addAlias(aliasKey(reporter, ref), pbxCall.id);
            // The extension stays the PBX's: it is what the PBX's next events are matched on.
            store.linkPbx(pbxCall.id, null, { localNumber: parties.localNumber, agentEmail: reporter }, now());
            store.setOwner(pbxCall.id, reporter, now());
            call = store.getCall(pbxCall.id)!;
            note = 'merged with the call the PBX reported';
          } else {
            let parentId: string | null = null;
            if (d.parentCallId) {
              const { parent, claim } = parentOf(reporter, d.parentCallId, d.participant);
              if (parent) {
                // Front threads every leg under the conversation's first leg.
                parentId = parent.parentId ?? parent.id;
                if (claim) store.insertReportKey(claim, sha256Hex(ref), parent.id, now());
              } else {
                note = 'the parent call is unknown: logged as a first leg';
                logger.warn('transferred leg names an unknown parent', { callId: ref, parentCallId: d.parentCallId });
              }
            }
            call = store.insertCall(
              {
                id: frontCallId(reporter, ref),
                direction: d.callType,
                remoteNumber: d.participant,
                remoteName: d.name ?? null,
                localNumber: d.localNumber ?? null,
                agentEmail: reporter,
                agentExtension: teammate.extension,
                parentId,
                startedAt: report.at,
                pbxCallId: null,
                pbxLinked: false,
                owner: reporter,
                clientRef: ref,
              },
              now(),
            );
          }
        }
        claimIfUnowned(call, reporter);
        const applied = applyStep(touched, call, stepOfReport(report), report.at, reporter);
        store.insertPluginEvent(ref, reporter, report.seq, hash, now());
        const why = applied.note ?? note;
        return { status: 'accepted', callId: call.id, queued: applied.queued, ...(why ? { note: why } : {}) };
      });
    },

    reportSummary(teammate, report) {
      const content = formatSummary(report);
      return addToCall(teammate, report.callId, 'summary', () => sha256Hex(content), { content });
    },

    reportRecording(teammate, report) {
      if (!recordingUrlPrefixes.some((prefix) => report.url.startsWith(prefix))) {
        throw new HttpError(
          422,
          'recording_url_not_allowed',
          recordingUrlPrefixes.length === 0
            ? 'This server accepts no recording URLs (RECORDING_URL_PREFIXES is not set).'
            : 'The recording URL is not on an allowed recording host (RECORDING_URL_PREFIXES).',
        );
      }
      const job: RecordingJob = { url: report.url, recording_type: report.recordingType };
      return addToCall(teammate, report.callId, 'recording', () => sha256Hex(report.url), job);
    },

    reportTranscript(teammate, report) {
      const payload: TranscriptPayload = {
        lines: report.lines.map((l) => ({
          speaker_name: l.speakerName,
          content: l.content,
          start_time_seconds: l.startTimeSeconds,
          speaker_type: l.speakerType,
        })),
      };
      return addToCall(teammate, report.callId, 'transcript', () => sha256Hex(JSON.stringify(payload)), payload);
    },

    pbxEvent(event, rawBody) {
      const at = event.occurredAt ?? now();
      const parties = partiesOfPbxEvent(event);
      const hash = sha256Hex(rawBody.toString('utf8'));
      return commit((touched) => {
        const teammate = parties.extension ? store.tokenByExtension(parties.extension) : null;
        const agentEmail = teammate?.email ?? null;
        let call = event.callId ? callOfPbxId(event.callId, agentEmail) : null;
        if (!call) {
          const candidates = store.callsForMatch(parties.direction, parties.remoteNumber, at - MAX_CALL_MS, at + pbxMatchWindowMs).map(candidateOf);
          // A delivery the PBX repeats (same body) is the same event, even without a call id.
          for (const c of candidates) {
            if (store.reportKeyHash(`pbx:${c.id}:${event.event}`) === hash) return { status: 'duplicate', callId: c.id, queued: [] };
          }
          // A start matches only a call no PBX start claimed yet.
          const open = event.event === 'start' ? candidates.filter((c) => store.reportKeyHash(`pbx:${c.id}:start`) === null) : candidates;
          const match = matchPbxEvent(open, { ...parties, event: event.event, pbxCallId: event.callId ?? null, at }, pbxMatchWindowMs);
          call = match ? store.getCall(match.id) : null;
        }
        const key = call ? `pbx:${call.id}:${event.event}` : null;
        if (call && key && store.reportKeyHash(key) !== null) return { status: 'duplicate', callId: call.id, queued: [] };

        if (!call) {
          call = store.insertCall(
            {
              id: pbxFrontCallId(event.callId ?? randomUUID()),
              direction: parties.direction,
              remoteNumber: parties.remoteNumber,
              remoteName: event.callerName ?? null,
              localNumber: parties.localNumber,
              agentEmail,
              agentExtension: parties.extension,
              parentId: null,
              startedAt: at,
              pbxCallId: event.callId ?? null,
              pbxLinked: true,
              owner: agentEmail,
              clientRef: null,
            },
            now(),
          );
        } else if (!call.pbxLinked || (event.callId && !call.pbxCallId)) {
          store.linkPbx(call.id, event.callId ?? null, { localNumber: parties.localNumber, agentExtension: parties.extension, agentEmail }, now());
          call = store.getCall(call.id)!;
        }
        // Answered elsewhere: the PBX says which teammate answered; the call is theirs from now on.
        if (agentEmail && agentEmail !== call.owner && (call.owner === null || event.event === 'answer')) {
          store.setOwner(call.id, agentEmail, now());
          call = store.getCall(call.id)!;
        }

        const current = call;
        const email = agentEmail ?? call.agentEmail;
        const queued: string[] = [];
        let note: string | undefined;
        const apply = (step: LifecycleStep) => {
          const applied = applyStep(touched, current, step, at, email);
          queued.push(...applied.queued);
          note = applied.note;
        };
        apply({ type: 'started' });
        if (event.event === 'answer') apply({ type: 'connected' });
        if (event.event === 'end') {
          // An answered call whose answer event never came: connect it first, so it ends `hangup`.
          if (event.disposition === 'answered' && (current.frontState === 'ringing' || current.frontState === 'queued')) {
            apply({ type: 'connected' });
          }
          const reason: EndReason =
            event.disposition === 'cancelled' ? (parties.direction === 'inbound' ? 'missed' : 'cancelled') : DISPOSITION_REASON[event.disposition];
          apply({ type: 'ended', reason });
        }
        store.insertReportKey(`pbx:${call.id}:${event.event}`, hash, call.id, now());
        return { status: 'accepted', callId: call.id, queued, ...(queued.length === 0 && note ? { note } : {}) };
      });
    },
  };
}
