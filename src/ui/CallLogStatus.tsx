import type { CallLogStatus as Status } from '../calllog/view';
import { useCallLogStatus } from './callLogContext';

/** The status in words. "Logged" means the server accepted every report: it delivers to Front. */
export function describeCallLog(status: Status): string {
  switch (status.kind) {
    case 'logged':
      return 'Logged to Front';
    case 'skipped':
      return `Not logged to Front: ${status.reason}`;
    case 'failed':
      return `Not logged: ${status.reason}`;
    case 'pending':
      switch (status.wait) {
        case 'sending':
          return 'Logging to Front…';
        case 'unreachable':
          return 'Not logged to Front yet: retrying (server unreachable)';
        case 'server_error':
          return 'Not logged to Front yet: retrying (server error)';
        case 'rate_limited':
          return 'Not logged to Front yet: retrying (server busy)';
        case 'token_refused':
          return 'Not logged to Front yet: the call log token was refused (check Settings)';
        case 'not_configured':
          return 'Not logged to Front yet: the call log is not set up (Settings)';
      }
  }
}

/** One polite line on the ended screen; nothing when no call log is configured. */
export function CallLogStatus({ callId }: { callId: string | null }) {
  const status = useCallLogStatus(callId);
  return (
    <p className={`sp-calllog${status?.kind === 'failed' ? ' sp-calllog--failed' : ''}`} aria-live="polite">
      {status ? describeCallLog(status) : ''}
    </p>
  );
}
