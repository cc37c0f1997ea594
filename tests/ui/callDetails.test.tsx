import { describe, expect, it } from 'vitest';
import { LineError } from '../../src/telephony';
import { FakeLine, ev } from '../support/fakeLine';
import { renderDialer, screen, statusText, within } from '../support/render';

const CALLER = { number: '+14155550123', name: 'Maria Garcia' };

function connected(line = new FakeLine()) {
  const ui = renderDialer({ line });
  ui.emit(ev.incoming('c1', CALLER.number, CALLER.name));
  ui.emit(ev.status('c1', 'ringing'));
  ui.emit(ev.status('c1', 'accepting'));
  ui.emit(ev.status('c1', 'connected'));
  return ui;
}

describe('during and after a call', () => {
  it('shows the recording and lets the agent pause and resume it', async () => {
    const { user, line, emit } = connected();
    expect(screen.queryByRole('button', { name: 'Pause recording' })).toBeNull();
    emit(ev.sync('c1', { recording: { state: 'recording' } }));
    expect(screen.getByText('Recording')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Pause recording' }));
    expect(line.commandsOf('pauseRecording')).toEqual([{ type: 'pauseRecording', callId: 'c1' }]);
    emit(ev.sync('c1', { recording: { state: 'paused' } }));
    expect(screen.getByText('Recording paused')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Resume recording' }));
    expect(line.commandsOf('resumeRecording')).toEqual([{ type: 'resumeRecording', callId: 'c1' }]);
  });

  it('shows call quality in words when the line measures it', () => {
    const { emit } = connected();
    expect(screen.queryByText(/Call quality/)).toBeNull();
    emit(ev.sync('c1', { audioStats: { jitter: 4, packetLoss: 0, rtt: 48, mos: 4.4 } }));
    expect(screen.getByText(/Call quality: Good/).textContent).toContain('MOS 4.4');
    emit(ev.sync('c1', { audioStats: { jitter: 40, packetLoss: 0.05, rtt: 300, mos: 2.9 } }));
    expect(screen.getByText(/Call quality: Poor/)).toBeTruthy();
  });

  it('says so when the line refuses a command, and the call carries on', async () => {
    const line = new FakeLine();
    line.failNext('hold', new LineError('invalid_state', 'Cannot hold right now.'));
    const { user } = connected(line);
    await user.click(screen.getByRole('button', { name: 'Hold' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('The call could not be put on hold. Cannot hold right now.');
    expect(statusText()).toBe('Connected');
  });

  it('the summary lists the duration the line reported, the participants, the recording and the tags', async () => {
    const { user, emit } = connected();
    emit(ev.status('c1', 'ended', 'regular', 'remoteHangup'));
    emit(
      ev.sync('c1', {
        duration: 125,
        participants: [CALLER, { number: '+14155550142' }],
        recording: { state: 'paused', url: 'https://recordings.example.com/c1.mp3' },
      }),
    );
    expect(screen.getByRole('heading', { name: 'The other party hung up' })).toBeTruthy();
    expect(screen.getByText('2:05')).toBeTruthy();
    const participants = within(screen.getByRole('list', { name: 'Participants' })).getAllByRole('listitem');
    expect(participants.map((item) => item.textContent)).toEqual(['Maria Garcia (+14155550123)', '+14155550142']);
    const link = screen.getByRole('link', { name: 'Listen to the recording' });
    expect(link.getAttribute('href')).toBe('https://recordings.example.com/c1.mp3');
    expect(screen.queryByRole('list', { name: 'Tags' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Call again' })).toBeTruthy();
    expect(screen.getByLabelText('Phone number')).toBeTruthy();
  });

  // Proved: letting any URL through safeLink in src/ui/EndedSummary.tsx makes this fail (2026-12-02).
  it('never turns a recording address that is not a web link into a link', () => {
    const { emit } = connected();
    emit(ev.status('c1', 'ended', 'regular', 'remoteHangup'));
    emit(ev.sync('c1', { recording: { state: 'recording', url: 'javascript:alert(1)' } }));
    expect(screen.queryByRole('link')).toBeNull();
  });

  it('shows the agent availability the line reports', () => {
    const { emit } = renderDialer();
    expect(screen.getByText('Available')).toBeTruthy();
    emit(ev.availability('busy'));
    expect(screen.getByText('Busy')).toBeTruthy();
    emit(ev.availability('after_call_work'));
    expect(screen.getByText('After-call work')).toBeTruthy();
    emit(ev.availability('offline'));
    expect(screen.getByText('Offline')).toBeTruthy();
  });

  // Proved: passing line events through unvalidated in src/telephony/bridge.ts makes this fail (2026-12-02).
  it('something the line sends outside the protocol changes nothing on screen and is kept for debugging', () => {
    const { emit, diagnostics } = connected();
    emit({ type: 'DIALER.CALL_STATUS', payload: { status: 'ended', flow: 'regular', callId: 'c1', reason: '<script>' } });
    emit(ev.status('someone-else', 'ended'));
    expect(statusText()).toBe('Connected');
    expect(diagnostics.entries().map((e) => e.detail.code)).toEqual(['malformed_event', 'stale_event']);
  });
});
