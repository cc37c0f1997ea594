/**
 * The SIP line's hold and warm-transfer job: holds and resumes a leg with re-INVITEs (one at a
 * time per leg), places the consultation call, swaps the active party, completes the transfer
 * with REFER + Replaces, hands a call over blind with REFER without Replaces, and goes back to
 * the regular flow when the transfer ends.
 */
import type { EndReason, Participant, TransferOutcome } from '../protocol';
import { describeError, schedule } from '../session';
import type { Leg, Legs, Log, SipCall, SipCore } from './legs';
import { newLeg } from './legs';
import type { SipMedia } from './media';
import type { StackMediaOptions, StackUserAgent } from './stack';

/** How long a hold / resume waits for a re-INVITE in progress (JsSIP refuses overlapping ones). */
const REOFFER_WAIT_MS = 3000;

export interface TransferOptions {
  readonly core: SipCore;
  readonly ua: StackUserAgent;
  readonly legs: Legs;
  readonly log: Log;
  readonly media: SipMedia;
  readonly mediaOptions: () => StackMediaOptions;
  readonly targetUri: (number: string) => string;
  /** Refuses a command that sends SIP while the connection to the server is down. */
  readonly ensureConnected: () => void;
  /** Ends the call; `keep` is a leg the transfer target ends itself. */
  readonly end: (call: SipCall, reason: EndReason, withHanging: boolean, keep?: Leg) => void;
}

export type Transfer = ReturnType<typeof createTransfer>;

export function createTransfer({ core, ua, legs, log, media, mediaOptions, targetUri, ensureConnected, end }: TransferOptions) {
  const { setStatus, sync } = core;

  function canReOffer(leg: Leg): boolean {
    return !leg.ended && leg.rtc.isEstablished() && leg.rtc.isReadyToReOffer();
  }

  function refuseOverlap(): never {
    throw core.error('invalid_state', 'A hold or resume is already in progress.');
  }

  /**
   * Holds or resumes a leg with a re-INVITE, after any operation in progress on it. Resolves true
   * once the re-INVITE succeeded (or the leg already was in that state), false when the leg ended
   * or the re-INVITE could not start.
   */
  function setHold(leg: Leg, held: boolean): Promise<boolean> {
    const run = () =>
      new Promise<boolean>((resolve) => {
        if (leg.ended) return resolve(false);
        if (leg.held === held) return resolve(true);
        const gaveUp = () => resolve(false);
        leg.onEnd.add(gaveUp);
        const started = Date.now();
        const attempt = () => {
          if (leg.ended) return;
          const done = () => {
            leg.onEnd.delete(gaveUp);
            leg.held = held;
            resolve(true);
          };
          const ok = leg.rtc.isReadyToReOffer() && (held ? leg.rtc.hold({}, done) : leg.rtc.unhold({}, done));
          if (ok) return;
          // A re-INVITE from the other side is in progress: try again shortly.
          if (Date.now() - started < REOFFER_WAIT_MS) schedule(leg.timers, 100, attempt);
          else {
            leg.onEnd.delete(gaveUp);
            resolve(false);
          }
        };
        attempt();
      });
    leg.ops = leg.ops.then(run, run);
    return leg.ops;
  }

  function placeConsultation(call: SipCall, target: Participant): void {
    let rtc;
    try {
      rtc = ua.call(targetUri(target.number), mediaOptions());
    } catch (error) {
      log('warn', `Could not place the transfer call: ${describeError(error)}`);
      returnToMain(call, 'transferFailed');
      return;
    }
    const leg = newLeg(rtc, target);
    legs.bind(call, leg, rtc);
    core.announceConsultation(call, leg);
  }

  /** Resumes the call's (new) main party after a transfer, then reports the regular flow. */
  function resumeMain(call: SipCall, outcome: TransferOutcome): void {
    const gen = ++call.transferGen;
    const main = call.main;
    void setHold(main, false).then((ok) => {
      if (call.ended || call.transferGen !== gen) return;
      if (!ok && main.ended) return;
      core.backToRegular(call, outcome, !ok);
    });
  }

  /** Ends the conference's local mix, if any: each leg sends the agent's microphone alone again. */
  function stopMix(call: SipCall): void {
    call.mix?.stop();
    call.mix = null;
  }

  /** Ends the transfer and goes back to the original party, resumed, with the outcome as reason. */
  function returnToMain(call: SipCall, outcome: TransferOutcome): void {
    stopMix(call);
    const consult = core.leaveTransfer(call);
    if (consult && !consult.ended) legs.detach(consult, 'cancelled');
    resumeMain(call, outcome);
  }

  /** The original party left a connected warm transfer: the target becomes the call's party. */
  function targetTakesOver(call: SipCall): void {
    stopMix(call);
    if (!core.promoteTarget(call)) return;
    resumeMain(call, 'heldPartyLeft');
  }

  function holdOrResume(call: SipCall, held: boolean): void {
    ensureConnected();
    const leg = call.main;
    if (leg.held !== held && !canReOffer(leg)) refuseOverlap();
    void setHold(leg, held).then((ok) => {
      if (ok && !call.ended && call.main === leg) sync(call, { onHold: held });
    });
  }

  return {
    returnToMain,
    targetTakesOver,
    stopMix,
    setHold,
    canReOffer,
    refuseOverlap,
    hold: (call: SipCall) => holdOrResume(call, true),
    resume: (call: SipCall) => holdOrResume(call, false),

    /** Holds the first party (re-INVITE), then calls the target. */
    start(call: SipCall, party: Participant): void {
      ensureConnected();
      const main = call.main;
      if (!main.held && !canReOffer(main)) refuseOverlap();
      const gen = ++call.transferGen;
      call.transfer = 'starting';
      setStatus(call, 'startingWarmTransfer', 'regular');
      void setHold(main, true).then((ok) => {
        if (call.ended || call.transferGen !== gen) return;
        if (!ok) {
          if (!main.ended) returnToMain(call, 'transferFailed');
          return;
        }
        sync(call, { onHold: true });
        placeConsultation(call, party);
      });
    },

    /**
     * Blind transfer (issue 12): holds the party (re-INVITE), then REFER without Replaces: the
     * party calls the target itself (RFC 3515). The call ends `transferred` once the party reports
     * the target answered (NOTIFY 2xx); a refusal brings the party back, resumed, with the outcome.
     */
    blind(call: SipCall, party: Participant): void {
      ensureConnected();
      const main = call.main;
      if (!main.held && !canReOffer(main)) refuseOverlap();
      const gen = ++call.transferGen;
      core.remember(call, party);
      setStatus(call, 'blindTransferring', 'regular');
      const back = (outcome: TransferOutcome) => () => {
        if (call.ended || call.transferGen !== gen || call.status !== 'blindTransferring') return;
        log('warn', `Call ${call.callId}: the transfer did not land (${outcome}); back to the caller.`);
        resumeMain(call, outcome);
      };
      void setHold(main, true).then((ok) => {
        if (call.ended || call.transferGen !== gen) return;
        if (!ok) return back('transferFailed')();
        sync(call, { onHold: true });
        try {
          main.rtc.refer(targetUri(party.number), {
            eventHandlers: {
              accepted: () => {
                if (call.ended || call.transferGen !== gen) return;
                main.intent = 'transferred';
                end(call, 'transferred', false);
              },
              failed: back('transferDeclined'),
              requestFailed: back('transferFailed'),
            },
          });
        } catch (error) {
          log('warn', `Could not send the transfer: ${describeError(error)}`);
          queueMicrotask(back('transferFailed'));
        }
      });
    },

    /** Holds the active party, then resumes the held one. */
    swap(call: SipCall): void {
      ensureConnected();
      const active = core.activeLeg(call);
      const held = core.heldLeg(call) as Leg;
      if (!canReOffer(active) || !canReOffer(held)) refuseOverlap();
      const gen = ++call.transferGen;
      setStatus(call, 'swapping', 'warmTransfer');
      void setHold(active, true)
        .then((ok) => (ok ? setHold(held, false) : false))
        .then((ok) => {
          if (!ok || call.ended || call.transferGen !== gen) return;
          core.swapped(call);
          setStatus(call, 'connected', 'warmTransfer');
        });
    },

    /**
     * Three-way call (issue 12), mixed locally: the phone system's own conference (a conference
     * bridge, a REFER to a conference URI) is not assumed, since PBXs differ and many have none.
     * The held party is resumed (re-INVITE), then {@link SipMedia.mixConference} sends each party
     * the agent's microphone plus the other party; the agent hears both legs as before. The call
     * stays two SIP dialogs, so leaving the conference is the warm transfer's merge (REFER with
     * Replaces) and either party can leave on its own.
     */
    conference(call: SipCall): void {
      ensureConnected();
      const held = core.heldLeg(call) as Leg;
      if (!canReOffer(held)) refuseOverlap();
      const gen = ++call.transferGen;
      call.transfer = 'conference';
      const back = (why: string) => {
        log('warn', `Call ${call.callId}: the conference could not start (${why}); the transfer carries on.`);
        call.transfer = 'consulting';
      };
      void setHold(held, false).then((ok) => {
        if (call.ended || call.transferGen !== gen) return;
        if (!ok) {
          if (!held.ended) back('the held party could not be resumed');
          return;
        }
        const main = call.main;
        const consult = call.consult as Leg;
        try {
          if (!main.pc || !consult.pc) throw new Error('a leg has no audio connection');
          call.mix = media.mixConference([{ pc: main.pc, remote: main.remote }, { pc: consult.pc, remote: consult.remote }], call.muted);
        } catch (error) {
          back(describeError(error));
          // Honest again: the party that was held is held again.
          void setHold(held, true);
          return;
        }
        core.joinConference(call);
      });
    },

    /**
     * REFER with Replaces: the original party calls the target, replacing the target's call with
     * this agent (RFC 5589 attended transfer). The call ends `transferred` once the party reports
     * the new call answered; a refusal goes back to the consultation (or the conference). Leaving
     * a conference is the same: the two parties stay together, the agent leaves.
     */
    merge(call: SipCall): void {
      ensureConnected();
      const consult = call.consult as Leg;
      const main = call.main;
      if (!main.rtc.isEstablished() || !consult.rtc.isEstablished()) throw core.error('invalid_state', 'Both calls must be connected to complete the transfer.');
      const gen = ++call.transferGen;
      const flow = call.transfer === 'conference' ? 'conference' : 'warmTransfer';
      const failed = () => {
        if (call.ended || call.transferGen !== gen || call.status !== 'merging') return;
        log('warn', `Call ${call.callId}: the transfer was refused; both calls stay as they were.`);
        setStatus(call, 'connected', flow);
      };
      setStatus(call, 'merging', flow);
      try {
        main.rtc.refer(consult.rtc.remote_identity.uri.toString(), {
          replaces: consult.rtc,
          eventHandlers: {
            accepted: () => {
              if (call.ended || call.transferGen !== gen) return;
              main.intent = 'transferred';
              consult.intent = 'transferred';
              end(call, 'transferred', false, consult);
            },
            failed,
            requestFailed: failed,
          },
        });
      } catch (error) {
        log('warn', `Could not send the transfer: ${describeError(error)}`);
        queueMicrotask(failed);
      }
    },
  };
}
