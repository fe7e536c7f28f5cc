// The one place a plain string becomes a typed id. The core's ids reach the UI already typed (see
// bindings/), and the UI passes them on as they are; only a string from outside the type system
// (a `data-` attribute, a `<select>`'s value, an event's detail, a test fixture's literal) needs
// one of these. Each returns its input unchanged: the brand exists for the compiler only, so that
// passing one kind of id where another is expected fails `tsc`.

import type { GoalCompletionId } from './bindings/GoalCompletionId';
import type { GoalId } from './bindings/GoalId';
import type { JobId } from './bindings/JobId';
import type { MessageId } from './bindings/MessageId';
import type { NoteId } from './bindings/NoteId';
import type { ProfileId } from './bindings/ProfileId';
import type { PropertyId } from './bindings/PropertyId';
import type { RequestId } from './bindings/RequestId';
import type { SegmentId } from './bindings/SegmentId';
import type { SessionId } from './bindings/SessionId';

/** The place a string from the DOM (or a test fixture) becomes a customer's id. */
export function profileId(raw: string): ProfileId {
  return raw as ProfileId;
}

/** The place a string from the DOM (a `<select>`'s value, or a test fixture) becomes a property's id. */
export function propertyId(raw: string): PropertyId {
  return raw as PropertyId;
}

/** The place a string from the DOM (the Segment filter's value, or a test fixture) becomes a segment's id. */
export function segmentId(raw: string): SegmentId {
  return raw as SegmentId;
}

/** The place a string from the DOM (a goal rule's `<select>` value, or a test fixture) becomes a goal's id. */
export function goalId(raw: string): GoalId {
  return raw as GoalId;
}

/** The place a string from the DOM (the `userdesk:open-job` event's detail, or a test fixture) becomes a job's id. */
export function jobId(raw: string): JobId {
  return raw as JobId;
}

/** The place a string from outside the type system (a test fixture) becomes a note's id. */
export function noteId(raw: string): NoteId {
  return raw as NoteId;
}

/** The place a string from outside the type system (a test fixture) becomes a bot session's id. */
export function sessionId(raw: string): SessionId {
  return raw as SessionId;
}

/** The place a string from outside the type system (a test fixture) becomes a goal completion's id. */
export function goalCompletionId(raw: string): GoalCompletionId {
  return raw as GoalCompletionId;
}

/** The place a string from outside the type system (a test fixture) becomes a message's id. */
export function messageId(raw: string): MessageId {
  return raw as MessageId;
}

/** The place a string from outside the type system (a test fixture) becomes a data request's id. */
export function requestId(raw: string): RequestId {
  return raw as RequestId;
}
