/** The text of a call summary in Front, from the plugin's summary report. Pure. */
import type { EndReason } from '../../contract';

export const OUTCOME_WORDS: Readonly<Record<EndReason, string>> = {
  localHangup: 'Ended by the teammate',
  remoteHangup: 'Ended by the other party',
  cancelled: 'Cancelled before it was answered',
  declined: 'Declined',
  rejected: 'Rejected by the callee',
  busy: 'Callee busy',
  noAnswer: 'No answer',
  missed: 'Missed: the caller hung up before it was answered',
  answeredElsewhere: 'Answered on another device',
  connectionLost: 'Connection lost',
  transferred: 'Transferred',
  failed: 'The call failed',
};

export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

export function formatSummary(report: { outcome: EndReason; durationSeconds?: number | undefined; tags?: readonly string[] | undefined; notes?: string | undefined; partyName?: string | undefined }): string {
  const lines = [`Outcome: ${OUTCOME_WORDS[report.outcome]}`];
  // The name the plugin learnt (Front's contact, the line), which may have come after Front created the call.
  if (report.partyName) lines.unshift(`Contact: ${report.partyName}`);
  if (report.durationSeconds !== undefined) lines.push(`Duration: ${formatDuration(report.durationSeconds)}`);
  if (report.tags && report.tags.length > 0) lines.push(`Tags: ${report.tags.join(', ')}`);
  const notes = report.notes?.trim();
  if (notes) lines.push('', notes);
  return lines.join('\n');
}
