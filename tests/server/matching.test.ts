// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { matchPbxEvent, matchPluginStart, partiesOfPbxEvent, sameParties, type MatchCandidate } from '../../server/pbx/matching';

const T = 1_800_000_000_000;
const WINDOW = 120_000;
const CUSTOMER = '+14155550100';
const COMPANY = '+14155559999';

const call = (over: Partial<MatchCandidate> = {}): MatchCandidate => ({
  id: 'c1',
  direction: 'inbound',
  remoteNumber: CUSTOMER,
  localNumber: null,
  extension: null,
  startedAt: T,
  frontState: 'ringing',
  pbxCallId: null,
  pbxLinked: false,
  ...over,
});

const inbound = { direction: 'inbound' as const, srcPhone: CUSTOMER, dstPhone: COMPANY, srcPhoneExt: '201' };
const query = (event: 'start' | 'answer' | 'end', at = T, pbxCallId: string | null = null) => ({ ...partiesOfPbxEvent(inbound), event, pbxCallId, at });

describe('reading a PBX event the way the seed defines its fields', () => {
  it('inbound: the source is the customer, the source extension the teammate', () => {
    expect(partiesOfPbxEvent(inbound)).toEqual({ direction: 'inbound', remoteNumber: CUSTOMER, localNumber: COMPANY, extension: '201' });
  });
  it('outbound: the destination is the customer, the destination extension the teammate', () => {
    expect(partiesOfPbxEvent({ direction: 'outbound', srcPhone: COMPANY, dstPhone: CUSTOMER, dstPhoneExt: '305' })).toEqual({
      direction: 'outbound',
      remoteNumber: CUSTOMER,
      localNumber: COMPANY,
      extension: '305',
    });
  });
});

describe('matching a PBX event without a known call id', () => {
  it('matches the call with the same parties started within the window', () => {
    expect(matchPbxEvent([call()], query('start', T + 5_000), WINDOW)?.id).toBe('c1');
  });

  it('an unknown side (the plugin rarely knows the company number) matches anything', () => {
    expect(sameParties(call({ localNumber: null, extension: null }), partiesOfPbxEvent(inbound))).toBe(true);
  });

  it('does not match another direction, customer, company number or extension', () => {
    expect(matchPbxEvent([call({ direction: 'outbound' })], query('start'), WINDOW)).toBeNull();
    expect(matchPbxEvent([call({ remoteNumber: '+14155550101' })], query('start'), WINDOW)).toBeNull();
    expect(matchPbxEvent([call({ localNumber: '+14155558888' })], query('start'), WINDOW)).toBeNull();
    expect(matchPbxEvent([call({ extension: '202' })], query('start'), WINDOW)).toBeNull();
  });

  it('a start outside the window is a new call', () => {
    expect(matchPbxEvent([call()], query('start', T + WINDOW + 1), WINDOW)).toBeNull();
    expect(matchPbxEvent([call()], query('start', T - WINDOW - 1), WINDOW)).toBeNull();
  });

  it('a start never matches an ended call, nor one another PBX call owns', () => {
    expect(matchPbxEvent([call({ frontState: 'hangup' })], query('start'), WINDOW)).toBeNull();
    expect(matchPbxEvent([call({ pbxCallId: 'pbx-A' })], query('start', T, 'pbx-B'), WINDOW)).toBeNull();
    expect(matchPbxEvent([call({ pbxCallId: 'pbx-A' })], query('start', T, 'pbx-A'), WINDOW)?.id).toBe('c1');
  });

  it('the end of a long call still finds it, hours later', () => {
    expect(matchPbxEvent([call({ frontState: 'connected' })], query('end', T + 3 * 3_600_000), WINDOW)?.id).toBe('c1');
  });

  it('prefers the open call, then the closest start', () => {
    const candidates = [call({ id: 'old-ended', frontState: 'hangup', startedAt: T + 1_000 }), call({ id: 'far', startedAt: T - 60_000 }), call({ id: 'near', startedAt: T - 2_000 })];
    expect(matchPbxEvent(candidates, query('end', T), WINDOW)?.id).toBe('near');
    expect(matchPbxEvent([call({ id: 'ended', frontState: 'hangup' })], query('end', T), WINDOW)?.id).toBe('ended');
  });
});

describe("matching a plugin's CALL_STARTED to a call the PBX reported first", () => {
  const parties = { direction: 'inbound' as const, remoteNumber: CUSTOMER, localNumber: null, extension: '201', at: T + 1_000 };
  it('matches an open PBX call with the same parties', () => {
    expect(matchPluginStart([call({ pbxLinked: true, extension: '201' })], parties, WINDOW)?.id).toBe('c1');
  });
  it('never merges two plugin calls, nor an ended PBX call', () => {
    expect(matchPluginStart([call({ pbxLinked: false })], parties, WINDOW)).toBeNull();
    expect(matchPluginStart([call({ pbxLinked: true, frontState: 'missed' })], parties, WINDOW)).toBeNull();
  });
});
