import { describe, expect, it } from 'vitest';
import { estimateMos, microphoneConstraints, readAudioStats } from '../../src/telephony/sip/media';

function pcWith(stats: Record<string, unknown>[]): RTCPeerConnection {
  return { getStats: async () => new Map(stats.map((s, i) => [String(i), s])) } as unknown as RTCPeerConnection;
}

describe('call quality', () => {
  it('estimates a MOS near 4.4 for a clean call and lower as delay, jitter and loss grow', () => {
    const clean = estimateMos(20, 1, 0);
    expect(clean).toBeGreaterThan(4.3);
    expect(clean).toBeLessThanOrEqual(4.5);
    expect(estimateMos(300, 30, 0)).toBeLessThan(clean);
    expect(estimateMos(20, 1, 0.05)).toBeLessThan(4.1);
    expect(estimateMos(20, 1, 0.1)).toBeLessThan(estimateMos(20, 1, 0.05));
    expect(estimateMos(800, 100, 0.4)).toBe(1);
  });

  it('reads jitter and round trip in ms, and the loss of the interval since the last reading', async () => {
    const first = await readAudioStats(
      pcWith([
        { type: 'inbound-rtp', kind: 'audio', jitter: 0.004, packetsReceived: 1000, packetsLost: 0 },
        { type: 'candidate-pair', nominated: true, currentRoundTripTime: 0.03 },
      ]),
      null,
    );
    expect(first?.stats).toEqual({ jitter: 4, packetLoss: 0, rtt: 30, mos: expect.any(Number) });
    const second = await readAudioStats(
      pcWith([
        { type: 'inbound-rtp', kind: 'audio', jitter: 0.02, packetsReceived: 1090, packetsLost: 10 },
        { type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: 0.12 },
      ]),
      first?.sample ?? null,
    );
    expect(second?.stats).toMatchObject({ jitter: 20, packetLoss: 0.1, rtt: 120 });
  });

  it('reads nothing before audio arrives', async () => {
    expect(await readAudioStats(pcWith([{ type: 'outbound-rtp', kind: 'audio' }]), null)).toBeNull();
  });
});

describe('microphone choice', () => {
  it('prefers the chosen microphone without failing calls when it is unplugged', () => {
    expect(microphoneConstraints(undefined)).toBe(true);
    expect(microphoneConstraints('usb-mic')).toEqual({ deviceId: { ideal: 'usb-mic' } });
  });
});
