/**
 * What Front's refusals mean. Front's reference documents `202 Accepted` and `400 Bad Request`
 * (with `{ _error: { status, title, message } }`) and no idempotency key, so the only way to tell
 * "this was already applied" from "this is wrong" is what the message says.
 *
 * Read as already applied, only on a retry after an attempt that may have reached Front:
 * - a create refused because a call with that `external_call_id` already exists;
 * - a status refused because the call is already in it (a transition from a state to itself);
 * - a 409 Conflict (HTTP's meaning: the resource's state already conflicts with the request).
 * Every other 400 is a genuine refusal: a dead letter, with Front's message kept for the admin.
 *
 * The patterns are in this one place; they match the stand-in's messages and common wordings
 * ("already exists", "duplicate", "already <status>"). If Front words a duplicate otherwise, the
 * request is a dead letter (visible at /admin/dead-letters with Front's message), never retried
 * blindly: a dead letter can be looked at, a silently "presumed" one cannot.
 */
import type { OutboxKind } from '../db/database';

/** Front's message from an error body (`_error.message`), or the body itself. */
export function frontMessage(body: string | undefined): string {
  if (!body) return '';
  try {
    const parsed = JSON.parse(body) as { _error?: { message?: unknown }; message?: unknown };
    const message = parsed._error?.message ?? parsed.message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: the text is the message
  }
  return body;
}

const CREATE_ALREADY = /\balready exists?\b|\bduplicate\b|\balready (been )?created\b/i;
/** `invalid transition: hold → hold`, `from hold to hold`, `already hold`, `already in hold`. */
const STATUS_SAME = /\b(\w+)\s*(?:→|->|to)\s*\1\b|\balready (?:in |set to )?(?:queued|ringing|connected|hold|hangup|abandoned|missed|transferred)\b/i;

/** True when Front's refusal of a repeated request says it was already applied. */
export function saysAlreadyApplied(kind: OutboxKind | undefined, status: number, body: string | undefined): boolean {
  if (status === 409) return true;
  if (status !== 400) return false;
  const message = frontMessage(body);
  if (kind === 'create') return CREATE_ALREADY.test(message);
  if (kind === 'status') return STATUS_SAME.test(message);
  return false;
}
