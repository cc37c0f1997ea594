import { act } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSipLineWith } from '../../src/telephony/sip/sipLine';
import { fakeMedia, FakeUserAgent, gathersByDefault } from '../sip/fakeStack';
import { advance, renderDialer, screen, statusText } from '../support/render';

afterEach(() => {
  gathersByDefault.value = true;
  vi.useRealTimers();
});

describe('a SIP call whose ICE finds no candidate', () => {
  it('does not stay on Answering: it ends after 5 s and the ended screen says the connection was lost', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    gathersByDefault.value = false;
    let ua: FakeUserAgent | undefined;
    // The real SIP line over the fake SIP stack; a relay-only TURN server that never answers.
    const line = createSipLineWith(
      { websocketUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1001@pbx.example.com', password: 'S3cret-Pa55word!' },
      { statsEveryMs: 0, iceServers: [{ urls: 'turn:turn.example.com', username: 'u', credential: 'c' }], iceTransportPolicy: 'relay' },
      { createUserAgent: (config) => (ua = new FakeUserAgent(config)), media: fakeMedia() },
    );
    const { user } = renderDialer({ line, fakeTimers: true });
    act(() => ua!.online());
    act(() => void ua!.incoming('2000', 'Maria Garcia'));
    await advance(0);
    await user.click(screen.getByRole('button', { name: 'Answer' }));
    await advance(0);
    expect(statusText()).toBe('Answering');
    // (shouldAdvanceTime: real time adds to this, hence the margin before 5 s.)
    await advance(4000);
    expect(statusText()).toBe('Answering');
    await advance(1000);
    expect(screen.getByRole('heading', { name: 'Connection lost' })).toBeTruthy();
    expect(statusText()).toBe('Call ended: Connection lost');
    line.dispose();
  });
});
