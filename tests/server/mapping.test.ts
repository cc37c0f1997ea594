// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { END_REASONS, type EndReason } from '../../contract';
import {
  DIRECTIONS,
  FRONT_CALL_STATUSES,
  VALID_TRANSITIONS,
  isValidTransition,
  mapStep,
  type Direction,
  type FrontCallStatus,
  type LifecycleStep,
  type MappingResult,
} from '../../server/calls/mapping';

const started: LifecycleStep = { type: 'started' };
const connected: LifecycleStep = { type: 'connected' };
const hold: LifecycleStep = { type: 'hold' };
const resumed: LifecycleStep = { type: 'resumed' };
const ended = (reason: EndReason): LifecycleStep => ({ type: 'ended', reason });

/** Plays steps from nothing; returns what Front sees: the initial status then every update. */
function timeline(direction: Direction, steps: LifecycleStep[], pbxReportsCall = false): FrontCallStatus[] {
  let state: FrontCallStatus | null = null;
  const seen: FrontCallStatus[] = [];
  for (const step of steps) {
    const result = mapStep({ state, direction, step, pbxReportsCall });
    if (result.action === 'create') state = result.initialStatus;
    if (result.action === 'update') state = result.status;
    if (result.action !== 'none') seen.push(state!);
  }
  return seen;
}

describe('the call state table', () => {
  // state before, direction, lifecycle step, what Front is told
  const table: Array<[FrontCallStatus | null, Direction, LifecycleStep, MappingResult['action'], FrontCallStatus | null]> = [
    [null, 'outbound', started, 'create', 'ringing'],
    [null, 'inbound', started, 'create', 'ringing'],
    [null, 'inbound', connected, 'none', null],
    ['ringing', 'outbound', connected, 'update', 'connected'],
    ['ringing', 'inbound', connected, 'update', 'connected'],
    ['ringing', 'inbound', started, 'none', null],
    ['ringing', 'inbound', hold, 'none', null],
    ['connected', 'inbound', hold, 'update', 'hold'],
    ['hold', 'inbound', resumed, 'update', 'connected'],
    ['hold', 'outbound', connected, 'update', 'connected'],
    ['connected', 'outbound', resumed, 'none', null],
    ['connected', 'outbound', connected, 'none', null],
    ['hold', 'outbound', hold, 'none', null],
    ['connected', 'inbound', ended('localHangup'), 'update', 'hangup'],
    ['connected', 'outbound', ended('remoteHangup'), 'update', 'hangup'],
    ['hold', 'inbound', ended('remoteHangup'), 'update', 'hangup'],
    ['connected', 'inbound', ended('connectionLost'), 'update', 'hangup'],
    ['connected', 'inbound', ended('transferred'), 'update', 'transferred'],
    ['hold', 'outbound', ended('transferred'), 'update', 'transferred'],
    // inbound, before answer: the caller gave up, or the teammate did not take it
    ['ringing', 'inbound', ended('missed'), 'update', 'abandoned'],
    ['ringing', 'inbound', ended('remoteHangup'), 'update', 'abandoned'],
    ['ringing', 'inbound', ended('declined'), 'update', 'missed'],
    ['ringing', 'inbound', ended('noAnswer'), 'update', 'missed'],
    ['ringing', 'inbound', ended('localHangup'), 'update', 'missed'],
    ['ringing', 'inbound', ended('answeredElsewhere'), 'update', 'transferred'],
    // outbound, before answer: nobody answered, or the teammate gave up
    ['ringing', 'outbound', ended('noAnswer'), 'update', 'missed'],
    ['ringing', 'outbound', ended('busy'), 'update', 'missed'],
    ['ringing', 'outbound', ended('rejected'), 'update', 'missed'],
    ['ringing', 'outbound', ended('failed'), 'update', 'missed'],
    ['ringing', 'outbound', ended('cancelled'), 'update', 'abandoned'],
    ['ringing', 'outbound', ended('localHangup'), 'update', 'abandoned'],
    // after the end, nothing
    ['hangup', 'inbound', connected, 'none', null],
    ['missed', 'outbound', ended('noAnswer'), 'none', null],
    ['abandoned', 'inbound', started, 'none', null],
    ['transferred', 'inbound', ended('localHangup'), 'none', null],
  ];

  it.each(table)('from %s, %s, %o: %s %s', (state, direction, step, action, status) => {
    const result = mapStep({ state, direction, step });
    expect(result.action).toBe(action);
    if (result.action === 'create') expect(result.initialStatus).toBe(status);
    if (result.action === 'update') expect(result.status).toBe(status);
  });

  it('a call answered on another device is left to the PBX when the PBX reports it', () => {
    expect(mapStep({ state: 'ringing', direction: 'inbound', step: ended('answeredElsewhere'), pbxReportsCall: true }).action).toBe('none');
    expect(mapStep({ state: 'connected', direction: 'inbound', step: ended('answeredElsewhere') }).action).toBe('none');
  });

  it('never tells Front an invalid transition, whatever the state, direction and step', () => {
    const states: Array<FrontCallStatus | null> = [null, ...FRONT_CALL_STATUSES];
    const steps: LifecycleStep[] = [started, connected, hold, resumed, ...END_REASONS.map(ended)];
    let checked = 0;
    for (const state of states) {
      for (const direction of DIRECTIONS) {
        for (const step of steps) {
          for (const pbxReportsCall of [false, true]) {
            const result = mapStep({ state, direction, step, pbxReportsCall });
            if (result.action === 'create') {
              expect(state).toBeNull();
              expect(VALID_TRANSITIONS.none).toContain(result.initialStatus);
            }
            if (result.action === 'update') expect(isValidTransition(state, result.status), `${state} → ${result.status}`).toBe(true);
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(9 * 2 * (4 + END_REASONS.length) * 2);
  });

  it('every end reason of the dialer ends a ringing call of either direction', () => {
    for (const direction of DIRECTIONS) {
      for (const reason of END_REASONS) {
        const result = mapStep({ state: 'ringing', direction, step: ended(reason) });
        expect(result.action, `${direction} ${reason}`).toBe('update');
      }
    }
  });
});

describe('call lifecycles as Front sees them', () => {
  it('an outbound call answered, held, resumed and hung up', () => {
    expect(timeline('outbound', [started, connected, hold, resumed, hold, resumed, ended('localHangup')])).toEqual([
      'ringing',
      'connected',
      'hold',
      'connected',
      'hold',
      'connected',
      'hangup',
    ]);
  });

  it('an outbound call nobody answers is missed; one the teammate cancels is abandoned', () => {
    expect(timeline('outbound', [started, ended('noAnswer')])).toEqual(['ringing', 'missed']);
    expect(timeline('outbound', [started, ended('cancelled')])).toEqual(['ringing', 'abandoned']);
  });

  it('an inbound caller who gives up is abandoned; a declined call is missed', () => {
    expect(timeline('inbound', [started, ended('missed')])).toEqual(['ringing', 'abandoned']);
    expect(timeline('inbound', [started, ended('declined')])).toEqual(['ringing', 'missed']);
  });

  it('a completed warm transfer ends the leg transferred', () => {
    expect(timeline('inbound', [started, connected, hold, ended('transferred')])).toEqual(['ringing', 'connected', 'hold', 'transferred']);
  });

  it('the same facts reported twice (plugin and PBX) are told once', () => {
    expect(timeline('inbound', [started, started, connected, connected, ended('remoteHangup'), ended('remoteHangup')])).toEqual([
      'ringing',
      'connected',
      'hangup',
    ]);
  });
});
