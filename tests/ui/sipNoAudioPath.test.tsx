import { act } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createSipLineWith } from '../../src/telephony/sip/sipLine';
import { fakeMedia, FakeUserAgent, gathersByDefault } from '../sip/fakeStack';
import { renderDialer, screen, statusText } from '../support/render';

afterEach(() => {
  gathersByDefault.value = true;
});

describe('a SIP call whose ICE finds no candidate', () => {
  it('does not stay on Answering: it ends within the timeout and the ended screen says the connection was lost', async () => {
    gathersByDefault.value = false;
    let ua: FakeUserAgent | undefined;
    const line = createSipLineWith(
      { websocketUrl: 'wss://pbx.example.com/ws', sipUri: 'sip:1001@pbx.example.com', password: 'S3cret-Pa55word!' },
      // Shortened from the default 5 s so the test runs on real timers (user-event, React).
      { statsEveryMs: 0, iceNoCandidateTimeoutMs: 200, iceServers: [{ urls: 'turn:turn.example.com', username: 'u', credential: 'c' }] },
      { createUserAgent: (config) => (ua = new FakeUserAgent(config)), media: fakeMedia() },
    );
    const { user } = renderDialer({ line });
    act(() => ua!.online());
    act(() => void ua!.incoming('2000', 'Maria Garcia'));
    await user.click(await screen.findByRole('button', { name: 'Answer' }));
    expect(statusText()).toBe('Answering');
    expect(await screen.findByRole('heading', { name: 'Connection lost' }, { timeout: 3000 })).toBeTruthy();
    expect(statusText()).toBe('Call ended: Connection lost');
    line.dispose();
  });
});
