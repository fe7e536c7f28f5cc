// An in-memory stand-in for the Rust core, so the UI can be tested (and demonstrated) without it.
// It follows the core's contract closely enough for the UI: filters, search, sort with empty
// values last, keyset cursors, offsets, the page-size limit, validation errors with `fields`, and
// times formatted in the chosen zone; property definitions and values checked against their format
// as the core checks them, and segments whose members are hand-picked or meet every rule (status,
// last seen, property and goal rules); pictures, a picked file taken when its first bytes are a PNG's
// or a JPEG's; Delete moving a selection of customers to the Trash (listed, restored, deleted
// forever, and brought back by Undo); Active and Archive as delayed jobs kept in memory,
// fired when their time has passed at the next read of the jobs (as the core's timer would have);
// a customer's History: the edits made here waiting to sync (the core's outbox), the latest first,
// above the server's record (what a sync confirmed, or a colleague's change seeded by a test),
// and Put back, a value from it set again by a new edit.
// Profiles are generated from their position on demand, so a million of them cost nothing until
// asked for; or, with the `profiles` option, exactly the customers given. src/scenario.test.ts
// replays calls recorded from the real core (src/testing/scenario.json) against the fake seeded
// with the recorded customers, holding its listing, sorts, search, dates and validation to the core's,
// and its properties, values, segments (refusals, orders, member counts, rules) and Segment filter.

import type { Backend } from '../api';
import type { ApiError } from '../bindings/ApiError';
import type { Cursor } from '../bindings/Cursor';
import type { CursorValue } from '../bindings/CursorValue';
import type { Field } from '../bindings/Field';
import type { FieldError } from '../bindings/FieldError';
import type { Conversation } from '../bindings/Conversation';
import type { Goal } from '../bindings/Goal';
import type { GoalSummary } from '../bindings/GoalSummary';
import type { GoalCompletionView } from '../bindings/GoalCompletionView';
import type { HistoryChange } from '../bindings/HistoryChange';
import type { HistoryRow } from '../bindings/HistoryRow';
import type { HistoryView } from '../bindings/HistoryView';
import type { JobAction } from '../bindings/JobAction';
import type { JobId } from '../bindings/JobId';
import type { JobState } from '../bindings/JobState';
import type { JobView } from '../bindings/JobView';
import type { DataRequestKind } from '../bindings/DataRequestKind';
import type { DataRequestView } from '../bindings/DataRequestView';
import type { LastSeenWindow } from '../bindings/LastSeenWindow';
import type { ListRequest } from '../bindings/ListRequest';
import type { NoteId } from '../bindings/NoteId';
import type { NoteView } from '../bindings/NoteView';
import type { PictureView } from '../bindings/PictureView';
import type { Platform } from '../bindings/Platform';
import type { Profile } from '../bindings/Profile';
import type { ProfileDetails } from '../bindings/ProfileDetails';
import type { ProfileFilter } from '../bindings/ProfileFilter';
import type { ProfileId } from '../bindings/ProfileId';
import type { ProfilePage } from '../bindings/ProfilePage';
import type { ProfilePatch } from '../bindings/ProfilePatch';
import type { ProfilePropertyView } from '../bindings/ProfilePropertyView';
import type { ProfileRow } from '../bindings/ProfileRow';
import type { PropertyDraft } from '../bindings/PropertyDraft';
import type { PropertyFormat } from '../bindings/PropertyFormat';
import type { PropertyId } from '../bindings/PropertyId';
import type { PropertySort } from '../bindings/PropertySort';
import type { PropertyView } from '../bindings/PropertyView';
import type { PutBack } from '../bindings/PutBack';
import type { RuleOperator } from '../bindings/RuleOperator';
import type { SegmentDraft } from '../bindings/SegmentDraft';
import type { SegmentId } from '../bindings/SegmentId';
import type { SegmentRef } from '../bindings/SegmentRef';
import type { SegmentRule } from '../bindings/SegmentRule';
import type { UndoReport } from '../bindings/UndoReport';
import type { UndoView } from '../bindings/UndoView';
import type { SegmentView } from '../bindings/SegmentView';
import type { UpdateView } from '../bindings/UpdateView';
import type { Selection } from '../bindings/Selection';
import type { SessionId } from '../bindings/SessionId';
import type { SessionOrder } from '../bindings/SessionOrder';
import type { SessionView } from '../bindings/SessionView';
import type { SignIn } from '../bindings/SignIn';
import type { SortDirection } from '../bindings/SortDirection';
import type { SortOrder } from '../bindings/SortOrder';
import type { SyncView } from '../bindings/SyncView';
import type { TrashPage } from '../bindings/TrashPage';
import type { TrashQuery } from '../bindings/TrashQuery';
import type { TrashRow } from '../bindings/TrashRow';
import type { TrashSelection } from '../bindings/TrashSelection';
import type { Account } from '../bindings/Account';
import { goalId, jobId, noteId, profileId, propertyId, requestId, segmentId } from '../ids';
import { MAX_PICTURE_BYTES, oversizeReason } from '../pictures';

export interface FakeBackendOptions {
  /** How many profiles exist. */
  readonly rows?: number;
  /** How many of them, at the end, are archived (default: a tenth). */
  readonly archived?: number;
  /** Changes a generated profile, e.g. to give one a hostile name. */
  readonly customise?: (profile: Profile, index: number) => Profile;
  /** Exactly these customers instead of generated ones (then `rows` and `archived` are ignored:
   * there are as many as given, each with the status it has). */
  readonly profiles?: readonly Profile[];
  readonly timeZone?: string;
  /** Milliseconds each call takes. */
  readonly latency?: number;
}

export interface FakeCall {
  readonly command: string;
  readonly args: Record<string, unknown>;
}

export const MAX_PAGE_SIZE = 1000;
export const FAKE_TIME_ZONES = [
  'UTC',
  'America/New_York',
  'Asia/Tokyo',
  'Australia/Sydney',
  'Europe/Berlin',
  'Europe/London',
] as const;

/** "Now" for the Last seen filter, fixed so tests don't depend on the date they run. */
export const FAKE_NOW = Date.parse('2025-06-01T12:00:00Z');

const FIRST_NAMES = [
  'Ada', 'Alan', 'Barbara', 'Charles', 'Dennis', 'Edsger', 'Frances', 'Grace', 'Hedy', 'Ivan',
  'John', 'Katherine', 'Linus', 'Margaret', 'Niklaus', 'Radia', 'Sophie', 'Tim', 'Whitfield',
];
const LOCATIONS = ['Berlin, Germany', 'London, UK', '', 'New York, USA', 'Tokyo, Japan', 'Lagos, Nigeria', 'São Paulo, Brazil'];
const PLATFORMS: readonly Platform[] = ['desktop', 'mobile_web', 'whats_app', 'messenger', 'telegram'];
const DEVICES: Readonly<Record<Platform, string>> = {
  desktop: 'Firefox 89.0',
  mobile_web: 'Safari 17.5',
  whats_app: 'WhatsApp',
  messenger: 'Messenger',
  telegram: 'Telegram',
};
const DAY_MS = 86_400_000;
const FIRST_CREATED = Date.parse('2023-01-01T00:00:00Z');
/** Above this, the default query is answered by arithmetic instead of filtering every profile. */
const MATERIALISE_LIMIT = 50_000;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function fakeId(index: number): ProfileId {
  return profileId(`00000000-0000-7000-8000-${pad(index, 12)}`);
}

function indexOfId(id: string): number | undefined {
  const match = /^00000000-0000-7000-8000-(\d{12})$/.exec(id);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** The core's Username rule: the full name, else the email, else "Anonymous <short id>". */
export function usernameOf(p: Profile): string {
  const first = p.firstName.trim();
  const last = p.lastName.trim();
  const full = first && last ? `${first} ${last}` : first || last;
  if (full) return full;
  if (p.email.trim()) return p.email.trim();
  return `Anonymous ${p.id.replace(/-/g, '').toLowerCase().slice(-8)}`;
}

/** A refusal's reason as the core tells it: a sentence, its first letter in upper case. */
function sentence(reason: string): string {
  return reason.charAt(0).toUpperCase() + reason.slice(1);
}

function apiError(code: ApiError['code'], message: string, fields: FieldError[] = []): ApiError {
  return { code, message, fields };
}

type Rule = (raw: string) => { ok: string } | { reason: string };

/** The core's limits (crates/model/src/validation.rs). */
const MAX_EMAIL_LEN = 254;
const MAX_PHONE_INPUT_LEN = 64;
const NEEDS_COUNTRY_CODE = 'must include its country code, such as +44 20 7946 0958';

/** Free text (names, location) as the core checks it: kept byte for byte, bounded, no NUL. */
const textRule: Rule = (raw) => {
  if (Array.from(raw).length > MAX_TEXT_LEN) return { reason: `is longer than ${MAX_TEXT_LEN} characters` };
  if (raw.includes('\0')) return { reason: 'contains a NUL character' };
  return { ok: raw };
};

/** The rules in the order the core checks (and reports) the fields: Field::ALL. */
const RULES: Readonly<Record<Field, Rule>> = {
  email: (raw) => {
    const email = raw.trim();
    if (email === '') return { ok: '' };
    if (new TextEncoder().encode(email).length > MAX_EMAIL_LEN) return { reason: `is longer than ${MAX_EMAIL_LEN} characters` };
    const problem = emailProblem(email);
    return problem === undefined ? { ok: email } : { reason: `is not a valid email address (${problem})` };
  },
  firstName: textRule,
  lastName: textRule,
  phone: (raw) => {
    const phone = raw.trim();
    if (phone === '') return { ok: '' };
    if (Array.from(phone).length > MAX_PHONE_INPUT_LEN) return { reason: `is longer than ${MAX_PHONE_INPUT_LEN} characters` };
    // Without a region, the core's parser needs the country code; it takes the punctuation
    // people write in numbers. Validity per country is approximated by the E.164 length.
    if (!phone.startsWith('+') || /[^\d\s()+./-]/.test(phone.slice(1)) || !/\d/.test(phone)) return { reason: NEEDS_COUNTRY_CODE };
    const digits = phone.replace(/\D/g, '');
    if (digits.length < 8 || digits.length > 15) return { reason: 'is not a valid number for its country' };
    return { ok: `+${digits}` };
  },
  location: textRule,
};

/** Why the email_address crate (0.2, with a required TLD, no domain literal, no display text)
 * refuses an address, in its words; undefined when it takes it. */
function emailProblem(address: string): string | undefined {
  const INVALID = 'Invalid character.';
  const displayAt = displaySeparator(address);
  let display = '';
  let email = address;
  if (displayAt !== undefined) {
    const right = address.slice(displayAt + 2).trim();
    if (!right.endsWith('>')) return "Terminating '>' is missing.";
    email = right.slice(0, -1);
    display = address.slice(0, displayAt).trim();
  }
  const at = email.lastIndexOf('@');
  if (at < 0) return "Missing separator character '@'.";
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (display !== '') return 'Display names are not supported.';
  if (local.startsWith('<')) return INVALID;
  const bytes = (s: string): number => new TextEncoder().encode(s).length;
  if (local === '') return 'Local part is empty.';
  if (bytes(local) > 64) return 'Local part is too long. Length limit: 64';
  if (local.startsWith('"') && local.endsWith('"')) {
    if (bytes(local) <= 2) return 'Local part is empty.';
    if (!isQuotedContent(local.slice(1, -1))) return INVALID;
  } else if (!local.split('.').every(isAtom)) {
    return INVALID;
  }
  if (domain === '') return 'Domain is empty.';
  if (bytes(domain) > 254) return 'Domain is too long. Length limit: 254';
  if (domain.startsWith('[') && domain.endsWith(']')) return 'Domain literals are not supported.';
  let subDomains = 0;
  for (const part of domain.split('.')) {
    if (part === '') return 'A sub-domain is empty.';
    const chars = Array.from(part);
    if (!isAlphanumeric(chars[0] ?? '') || !isAlphanumeric(chars[chars.length - 1] ?? '')) return INVALID;
    if (bytes(part) > 63) return 'A sub-domain is too long. Length limit: 63';
    if (!isAtom(part)) return INVALID;
    subDomains += 1;
  }
  return subDomains < 2 ? 'Too few parts in the domain' : undefined;
}

/** Where the last " <" outside quotes starts, as the crate finds a display name's end. */
function displaySeparator(text: string): number | undefined {
  let inQuote = false;
  let escaped = false;
  let separator: number | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (!inQuote && text.startsWith(' <', i)) separator = i;
    if (escaped) escaped = false;
    else if (inQuote && c === '\\') escaped = true;
    else if (c === '"') inQuote = !inQuote;
  }
  return separator;
}

function isAlphanumeric(c: string): boolean {
  return /^[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}]$/u.test(c);
}

function isAtom(s: string): boolean {
  return s !== '' && Array.from(s).every((c) => isAlphanumeric(c) || "!#$%&'*+-/=?^_`{|}~".includes(c) || (c.codePointAt(0) ?? 0) > 0x7f);
}

function isQuotedContent(s: string): boolean {
  const chars = Array.from(s);
  for (let i = 0; i < chars.length; i += 1) {
    const c = chars[i] ?? '';
    const code = c.codePointAt(0) ?? 0;
    if (c === '\\') {
      const next = (chars[i + 1] ?? '').codePointAt(0);
      if (next === undefined || next < 0x21 || next > 0x7e) return false;
      i += 1;
    } else if (!(code === 0x21 || (code >= 0x23 && code <= 0x5b) || (code >= 0x5d && code <= 0x7e) || code > 0x7f || c === ' ' || c === '\t')) {
      return false;
    }
  }
  return true;
}

const FIELD_NAMES: Readonly<Record<Field, string>> = {
  email: 'email',
  firstName: 'first name',
  lastName: 'last name',
  phone: 'phone',
  location: 'location',
};

/** One action Undo can take back, as the core remembers it. */
type UndoAction =
  | { readonly label: string; readonly index: number; readonly kind: 'fields'; readonly changed: readonly { field: Field; before: string; after: string }[] }
  | { readonly label: string; readonly index: number; readonly kind: 'status'; readonly before: Profile['status']; readonly after: Profile['status'] }
  | { readonly label: string; readonly kind: 'members'; readonly segment: SegmentId; readonly name: string; readonly added: readonly ProfileId[]; readonly removed: readonly ProfileId[] }
  | { readonly label: string; readonly kind: 'job'; readonly id: JobId }
  | { readonly label: string; readonly kind: 'trashed'; readonly indices: readonly number[] };

/** A mutation waiting to sync that History shows, as the core's outbox holds it: the fields an
 * edit changed (in Field::ALL order) with the values before, a status set, a move to the Trash or
 * out of it. Notes, pictures, properties and segments wait too, but History leaves them out. */
type FakeMutation =
  | { readonly kind: 'patch'; readonly index: number; readonly changed: readonly { field: Field; before: string; after: string }[] }
  | { readonly kind: 'status'; readonly index: number; readonly before: Profile['status']; readonly after: Profile['status'] }
  | { readonly kind: 'trash'; readonly indices: readonly number[] }
  | { readonly kind: 'restore'; readonly indices: readonly number[] };

/** History's note without a sign-in, when it shows only edits waiting to sync
 * (crates/core/src/app/history.rs). */
export const HISTORY_NOT_SIGNED_IN = 'Not signed in: only your changes made on this computer are shown';
/** History's note when the server cannot be reached. */
export const HISTORY_OFFLINE =
  "Offline: colleagues' changes as last seen; newer ones show once the server can be reached";

const STATUS_SHOWN: Readonly<Record<Profile['status'], string>> = { active: 'Active', archived: 'Archived' };

function trashChange(into: boolean): HistoryChange {
  return { field: 'TRASH', before: into ? '' : 'In the Trash', after: into ? 'In the Trash' : '' };
}

/** A mutation as History shows it for the customer at `index` (`pending`: still waiting to sync,
 * as the core's pending_row; else as the server's record of it, server_row), or undefined when it
 * is not about them. */
function historyRowOf(mutation: FakeMutation, index: number, pending: boolean, when: string): HistoryRow | undefined {
  const row = (action: string, changes: HistoryChange[]): HistoryRow => ({ action, who: 'you', when, pending, changes });
  switch (mutation.kind) {
    case 'patch':
      if (mutation.index !== index) return undefined;
      return row(
        'Edited',
        mutation.changed.map(({ field, before, after }) => ({
          field: FIELD_NAMES[field].toUpperCase(),
          before,
          after,
          putBack: { kind: 'field', field, value: before },
        })),
      );
    case 'status': {
      if (mutation.index !== index) return undefined;
      const action = mutation.after === 'archived' ? 'Archived' : 'Activated';
      // Waiting to sync, the status set alone is known; the server's record has the one before.
      const change: HistoryChange = pending
        ? { field: 'STATUS', before: '', after: STATUS_SHOWN[mutation.after] }
        : {
            field: 'STATUS',
            before: STATUS_SHOWN[mutation.before],
            after: STATUS_SHOWN[mutation.after],
            putBack: { kind: 'active', active: mutation.before === 'active' },
          };
      return row(action, [change]);
    }
    case 'trash':
      return mutation.indices.includes(index) ? row('Moved to the Trash', [trashChange(true)]) : undefined;
    case 'restore':
      return mutation.indices.includes(index) ? row('Restored from the Trash', [trashChange(false)]) : undefined;
  }
}

/** How many days a deleted customer stays in the Trash (crates/model/src/trash.rs, TRASH_DAYS). */
export const TRASH_DAYS = 30;
/** The most rows a page of the Trash holds (MAX_TRASH_PAGE). */
export const MAX_TRASH_PAGE = 1000;

/** A customer in the fake's Trash: when, and by whom (an email; empty for this manager, until
 * the delete syncs, as the core keeps it). */
interface FakeTrashed {
  readonly atMs: number;
  readonly by: string;
}

/** The core's refusal of Restore or Delete forever when none of the customers named is in the
 * Trash any more (crates/core/src/error.rs, NotInTrash). */
function notInTrash(count: number): ApiError {
  // The core writes the count as it is, without a thousands separator.
  const who = count === 1 ? 'This customer is' : `These ${count} customers are`;
  return apiError(
    'not_found',
    `${who} no longer in the Trash: deleted forever (by Delete forever, or ${TRASH_DAYS} days after the delete), or restored already; nothing was changed`,
  );
}

/** "1 customer", "1,204 customers", as the core counts them. */
function customers(n: number): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'customer' : 'customers'}`;
}

/** "EMAIL of Ada Lovelace", "EMAIL and PHONE of Ada Lovelace", as the core names them. */
function fieldsLabel(fields: readonly Field[], profile: Profile): string {
  const names = fields.map((f) => FIELD_NAMES[f].toUpperCase());
  const last = names.pop();
  const joined = names.length === 0 ? (last ?? '') : `${names.join(', ')} and ${last ?? ''}`;
  return `${joined} of ${usernameOf(profile)}`;
}

/** The goals every fake workspace starts with. */
export const FAKE_GOALS: readonly Goal[] = [
  { id: goalId('goal-demo'), name: 'Booked a demo', bot: 'Sales Bot' },
  { id: goalId('goal-refund'), name: 'Refund requested', bot: 'Support Bot' },
];

/** A segment as the fake keeps it: its hand-picked members apart from its rules. */
interface FakeSegment {
  readonly id: SegmentId;
  name: string;
  description: string;
  rules: SegmentRule[];
  readonly members: Set<ProfileId>;
  pending: boolean;
}

/** A delayed Active or Archive as the fake keeps it: picked ids, or the filter resolved when it fires. */
export interface FakeJob {
  readonly id: JobId;
  readonly action: JobAction;
  state: JobState;
  readonly total: number;
  applied: number;
  readonly runAtMs: number;
  completedMs?: number;
  readonly target: { readonly ids: ReadonlySet<ProfileId> } | { readonly filter: ProfileFilter };
  /** The ids of the customers it changed, once done: what a filter on the job shows. */
  customers?: ReadonlySet<ProfileId>;
  /** The generation indices whose status it changed: what its Undo sets back once it has fired. */
  changed?: Set<number>;
}

/** The core's default delay of Active and Archive (5 minutes) and its longest (a week), seconds. */
export const DEFAULT_JOB_DELAY = 300;
export const MAX_JOB_DELAY = 604_800;
/** How many jobs done or cancelled the list keeps. */
const FINISHED_JOBS_LISTED = 20;

/** The picture the fake keeps for any file it accepts: a 1×1 PNG. */
export const FAKE_PICTURE_URL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
export const NOT_AN_IMAGE = 'the file is not an image Userdesk can read (use PNG, JPEG, GIF, WebP or BMP)';

/** The core's check of a picked file, reduced to its first bytes: PNG and JPEG are images. */
function checkPicture(file: Uint8Array): void {
  if (file.length === 0) throw apiError('invalid_picture', 'the file is empty');
  if (file.length > MAX_PICTURE_BYTES) throw apiError('invalid_picture', oversizeReason(file.length));
  const png = file.length >= 4 && file[0] === 0x89 && file[1] === 0x50 && file[2] === 0x4e && file[3] === 0x47;
  const jpeg = file.length >= 2 && file[0] === 0xff && file[1] === 0xd8;
  if (!png && !jpeg) throw apiError('invalid_picture', NOT_AN_IMAGE);
}

const MAX_TEXT_LEN = 500;
const MAX_LONG_TEXT_LEN = 10_000;
const MAX_CHOICES = 100;
const MAX_RULES = 50;

/** The core's check of a name shown in a list; the reason, or undefined when it is fine. */
function labelProblem(raw: string): string | undefined {
  if (raw.trim() === '') return 'must not be empty';
  if (Array.from(raw).length > MAX_TEXT_LEN) return `is longer than ${MAX_TEXT_LEN} characters`;
  if (raw.includes('\0')) return 'contains a NUL character';
  return undefined;
}

function longTextProblem(raw: string): string | undefined {
  if (Array.from(raw).length > MAX_LONG_TEXT_LEN) return `is longer than ${MAX_LONG_TEXT_LEN} characters`;
  if (raw.includes('\0')) return 'contains a NUL character';
  return undefined;
}

/** A refused definition of a property or segment, as the core says it (crates/core/src/error.rs,
 * refused_definition): a reason about one of its parts ("name must not be empty") is said of the
 * subject, a whole sentence ("a choice property needs…") is kept as it is; then a sentence. */
function refusedDefinition(subject: 'property' | 'segment', reason: string): ApiError {
  const aboutAPart = ['name ', 'description ', 'choice ', 'rule value '].some((part) => reason.startsWith(part));
  return apiError('invalid_request', sentence(aboutAPart ? `the ${subject}'s ${reason}` : reason));
}

/** The draft as the core keeps it (text trimmed, blank choices dropped), or why it is refused. */
function checkPropertyDraft(draft: PropertyDraft, others: Iterable<{ name: string }>): PropertyDraft {
  const clean: PropertyDraft = {
    name: draft.name.trim(),
    description: draft.description.trim(),
    format: draft.format,
    choices: draft.choices.map((c) => c.trim()).filter((c) => c !== ''),
  };
  const refuse = (reason: string): never => {
    throw refusedDefinition('property', reason);
  };
  const name = labelProblem(clean.name);
  if (name !== undefined) refuse(`name ${name}`);
  const description = longTextProblem(clean.description);
  if (description !== undefined) refuse(`description ${description}`);
  if (clean.format === 'choice') {
    if (clean.choices.length === 0) refuse('a choice property needs at least one choice');
    if (clean.choices.length > MAX_CHOICES) refuse(`a property offers at most ${MAX_CHOICES} choices`);
    for (const choice of clean.choices) {
      const problem = labelProblem(choice);
      if (problem !== undefined) refuse(`choice ${problem}`);
    }
  } else if (clean.choices.length > 0) {
    refuse('only a choice property has choices');
  }
  for (const other of others) {
    if (other.name.toLowerCase() === clean.name.toLowerCase()) refuse(`a property named ${JSON.stringify(other.name)} already exists`);
  }
  return clean;
}

/** The draft as the core keeps it (text trimmed, rule values in their canonical spelling), or why
 * it is refused. */
function checkSegmentDraft(
  draft: SegmentDraft,
  others: Iterable<{ name: string }>,
  goals: readonly Goal[],
  properties: ReadonlyMap<PropertyId, PropertyView>,
): SegmentDraft {
  const refuse = (reason: string): never => {
    throw apiError('invalid_request', sentence(reason));
  };
  const refuseDefinition = (reason: string): never => {
    throw refusedDefinition('segment', reason);
  };
  const clean: SegmentDraft = { name: draft.name.trim(), description: draft.description.trim(), rules: structuredClone(draft.rules) };
  const name = labelProblem(clean.name);
  if (name !== undefined) refuseDefinition(`name ${name}`);
  const description = longTextProblem(clean.description);
  if (description !== undefined) refuseDefinition(`description ${description}`);
  if (clean.rules.length > MAX_RULES) refuseDefinition(`a segment has at most ${MAX_RULES} rules`);
  for (const rule of clean.rules) {
    if (rule.rule !== 'property') continue;
    const problem = longTextProblem(rule.value);
    if (problem !== undefined) refuseDefinition(`rule value ${problem}`);
  }
  for (const other of others) {
    if (other.name.toLowerCase() === clean.name.toLowerCase()) refuse(`a segment named ${JSON.stringify(other.name)} already exists`);
  }
  for (const rule of clean.rules) {
    if (rule.rule === 'goal' && !goals.some((g) => g.id === rule.goal_id)) {
      refuse(`a rule names a goal that does not exist (${rule.goal_id})`);
    }
    if (rule.rule !== 'property') continue;
    const property = properties.get(rule.property_id);
    if (property === undefined) throw apiError('not_found', `no property with id ${rule.property_id}`);
    const refuseRule = (what: string): never => refuse(`${property.name}: ${what}`);
    switch (rule.operator) {
      case 'is_set':
      case 'is_not_set':
        rule.value = '';
        break;
      case 'contains':
        if (property.format !== 'text') refuseRule('only a text property can be searched for a part of its value');
        if (rule.value.trim() === '') refuseRule('say what the value should contain');
        break;
      case 'greater_than':
      case 'less_than':
        if (property.format !== 'number' && property.format !== 'date') refuseRule('only numbers and dates compare as greater or less');
        rule.value = checkValue(property, rule.value);
        break;
      default:
        rule.value = checkValue(property, rule.value);
    }
  }
  return clean;
}

/** The value in its format's canonical spelling, or the core's validation error. */
function checkValue(property: PropertyView, raw: string): string {
  const verdict = normalizeValue(property.format, raw, property.choices);
  if ('reason' in verdict) {
    const shown = Array.from(raw).length > 60 ? `${Array.from(raw).slice(0, 60).join('')}…` : raw;
    throw apiError('validation', `${property.name}: ${JSON.stringify(shown)} ${verdict.reason}`);
  }
  return verdict.ok;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The core's check of a value against its property's format: the canonical spelling, or why not. */
export function normalizeValue(format: PropertyFormat, raw: string, choices: readonly string[]): { ok: string } | { reason: string } {
  switch (format) {
    case 'text': {
      const problem = longTextProblem(raw);
      return problem === undefined ? { ok: raw } : { reason: problem };
    }
    case 'number': {
      const trimmed = raw.trim();
      return NUMBER.test(trimmed) && Number.isFinite(Number(trimmed)) ? { ok: trimmed } : { reason: 'is not a number' };
    }
    case 'date': {
      const match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(raw.trim());
      const [year, month, day] = match === null ? [NaN, NaN, NaN] : [Number(match[1]), Number(match[2]), Number(match[3])];
      const date = new Date(Date.UTC(year, month - 1, day));
      if (match === null || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
        return { reason: 'is not a date such as 2024-05-31' };
      }
      return { ok: `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}` };
    }
    case 'boolean': {
      const trimmed = raw.trim();
      return trimmed === 'true' || trimmed === 'false' ? { ok: trimmed } : { reason: 'must be true or false' };
    }
    case 'choice':
      return choices.includes(raw) ? { ok: raw } : { reason: "is not one of the property's choices" };
  }
}

/** Rust's order of strings: by code point (UTF-8 bytes), not by UTF-16 unit. */
function codePointOrder(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  const length = Math.min(x.length, y.length);
  for (let i = 0; i < length; i += 1) {
    const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return Math.sign(x.length - y.length);
}

/** The core's order of properties and segments: the name in lower case, then the id. */
function byName(a: { name: string; id?: string }, b: { name: string; id?: string }): number {
  return codePointOrder(a.name.toLowerCase(), b.name.toLowerCase()) || codePointOrder(a.id ?? '', b.id ?? '');
}

/** Positions of the matching profiles, in sort order. */
interface Ordering {
  readonly length: number;
  at(position: number): number;
  positionOf(index: number): number | undefined;
}

/** A profile's value in a sort column: text as UTF-8 bytes (what SQLite compares), or a number. */
type SortValue = Uint8Array | number;

/** A profile's place in a sort: its value, then its id, which breaks ties. */
interface SortKey {
  readonly value: SortValue;
  readonly id: string;
}

const BY_USERNAME: SortOrder = { column: 'username', direction: 'asc' };

export class FakeBackend implements Backend {
  readonly calls: FakeCall[] = [];
  /** The manager's time zone, what `timeZone` answers and dates are shown in. */
  zone: string;
  private readonly size: number;
  private readonly archived: number;
  private readonly customise: ((profile: Profile, index: number) => Profile) | undefined;
  /** The customers given instead of generated ones, and their indices by id. */
  private readonly seeded: readonly Profile[] | undefined;
  private readonly seededIndex = new Map<string, number>();
  private readonly latency: number;
  private readonly edited = new Map<number, Profile>();
  private readonly orderings = new Map<string, Ordering>();
  private readonly failures: { command: string; error: unknown }[] = [];
  /** Notes by profile id, newest first, as the core would return them. */
  readonly notesByProfile = new Map<ProfileId, NoteView[]>();
  private noteCounter = 0;
  /** Bot sessions by profile id, newest first. */
  readonly sessionsByProfile = new Map<ProfileId, SessionView[]>();
  /** Transcripts by session id. */
  readonly conversations = new Map<SessionId, Conversation>();
  readonly goalsByProfile = new Map<ProfileId, GoalCompletionView[]>();
  readonly requestsByProfile = new Map<ProfileId, DataRequestView[]>();
  /** Property definitions by id. */
  readonly propertiesById = new Map<PropertyId, PropertyView>();
  /** Property values by profile id, then property id. */
  readonly propertyValues = new Map<ProfileId, Map<PropertyId, { value: string; pending: boolean }>>();
  /** Pictures by profile id. */
  readonly picturesByProfile = new Map<ProfileId, PictureView>();
  private readonly segmentsById = new Map<SegmentId, FakeSegment>();
  /** What `goals` answers. */
  goalList: Goal[] = [...FAKE_GOALS];
  private recordCounter = 0;
  /** Generation indices of the customers deleted forever. */
  private readonly deleted = new Set<number>();
  /** Generation indices of the customers in the Trash: when they were deleted, and by whom. */
  private readonly trashed = new Map<number, FakeTrashed>();
  /** The jobs scheduled, in order. */
  readonly jobList: FakeJob[] = [];
  /** The delay of Active and Archive, seconds. */
  jobDelaySeconds = DEFAULT_JOB_DELAY;
  /** The clock jobs are scheduled and fired by; a test moves it forward to fire them. */
  now: () => number = () => Date.now();

  constructor(options: FakeBackendOptions = {}) {
    this.seeded = options.profiles?.map((p) => structuredClone(p));
    this.seeded?.forEach((p, index) => this.seededIndex.set(p.id, index));
    this.size = this.seeded?.length ?? options.rows ?? 500;
    this.archived = this.seeded === undefined ? Math.min(this.size, options.archived ?? Math.floor(this.size / 10)) : 0;
    this.customise = options.customise;
    this.zone = options.timeZone ?? 'UTC';
    this.latency = options.latency ?? 0;
  }

  /** Makes the next call of `command` reject with `error`. */
  failNext(command: string, error: unknown): void {
    this.failures.push({ command, error });
  }

  callsOf(command: string): FakeCall[] {
    return this.calls.filter((c) => c.command === command);
  }

  /** The profile at a generation index, with any edits. */
  profile(index: number): Profile {
    const edited = this.edited.get(index);
    if (edited !== undefined) return edited;
    const generated = this.generate(index);
    return this.customise ? this.customise(generated, index) : generated;
  }

  listProfiles(request: ListRequest): Promise<ProfilePage> {
    return this.answer('list_profiles', { request }, () => {
      this.checkSegmentFilter(request.filter);
      if (!(request.limit >= 1 && request.limit <= MAX_PAGE_SIZE)) {
        throw apiError('invalid_request', `a page holds 1 to ${MAX_PAGE_SIZE} rows, not ${request.limit}`);
      }
      const ordering = this.ordering(request.filter, request.sort);
      let start = 0;
      if (request.after != null) {
        if (request.after.column !== request.sort.column) {
          throw apiError(
            'invalid_request',
            `the cursor belongs to a sort by ${rustName(request.after.column)}, not by ${rustName(request.sort.column)}`,
          );
        }
        if ((request.after.value.type === 'int') !== NUMERIC_COLUMNS.has(request.sort.column)) {
          throw apiError('invalid_request', "the cursor's value does not fit its column");
        }
        start = this.positionAfter(ordering, request.after, request.sort, request.filter);
      }
      start += request.offset;
      const end = Math.min(ordering.length, start + request.limit);
      const rows: ProfileRow[] = [];
      for (let position = start; position < end; position += 1) {
        rows.push(this.row(this.profile(ordering.at(position))));
      }
      const page: ProfilePage = { rows };
      const lastRow = rows[rows.length - 1];
      if (end < ordering.length && lastRow !== undefined) {
        page.next = { column: request.sort.column, value: this.cursorValue(lastRow.id, request.sort), id: lastRow.id };
      }
      return page;
    });
  }

  countProfiles(filter: ProfileFilter): Promise<number> {
    return this.answer('count_profiles', { filter }, () => {
      this.checkSegmentFilter(filter);
      return this.ordering(filter, BY_USERNAME).length;
    });
  }

  profileDetails(id: ProfileId): Promise<ProfileDetails> {
    return this.answer('profile_details', { id }, () => this.details(this.indexOf(id)));
  }

  patchProfile(id: ProfileId, patch: ProfilePatch): Promise<ProfileDetails> {
    return this.answer('patch_profile', { id, patch }, () => this.patch(id, patch));
  }

  /** patch_profile: the fields that change are saved, remembered for Undo and queued to sync. */
  private patch(id: ProfileId, patch: ProfilePatch): ProfileDetails {
    const index = this.indexOf(id);
    const errors: FieldError[] = [];
    const changed: Profile = { ...this.profile(index) };
    for (const field of Object.keys(RULES) as Field[]) {
      const raw = patch[field];
      if (raw === undefined) continue;
      const verdict = RULES[field](raw);
      if ('reason' in verdict) errors.push({ field, reason: verdict.reason });
      else changed[field] = verdict.ok;
    }
    if (errors.length > 0) {
      const message = errors.map((e) => `${FIELD_NAMES[e.field]}: ${e.reason}`).join('; ');
      throw apiError('validation', message, errors);
    }
    const before = this.profile(index);
    const fields = (Object.keys(RULES) as Field[]).filter((f) => patch[f] !== undefined && before[f] !== changed[f]);
    if (fields.length > 0) {
      const changes = fields.map((field) => ({ field, before: before[field], after: changed[field] }));
      this.undoStack.push({ label: `Changed ${fieldsLabel(fields, before)}`, index, kind: 'fields', changed: changes });
      this.outbox.push({ kind: 'patch', index, changed: changes });
    }
    this.edited.set(index, changed);
    this.orderings.clear();
    return this.details(index);
  }

  setProfileActive(id: ProfileId, active: boolean): Promise<ProfileDetails> {
    return this.answer('set_profile_active', { id, active }, () => this.setActive(id, active));
  }

  /** set_profile_active: a change of status is remembered for Undo and queued to sync. */
  private setActive(id: ProfileId, active: boolean): ProfileDetails {
    const index = this.indexOf(id);
    const before = this.profile(index);
    const status = active ? 'active' : 'archived';
    if (before.status !== status) {
      const label = `${active ? 'Activated' : 'Archived'} ${usernameOf(before)}`;
      this.undoStack.push({ label, index, kind: 'status', before: before.status, after: status });
      this.outbox.push({ kind: 'status', index, before: before.status, after: status });
    }
    this.edited.set(index, { ...before, status });
    this.orderings.clear();
    return this.details(index);
  }

  /** The edits made here waiting to sync that History shows, in the order they were made. */
  private readonly outbox: FakeMutation[] = [];
  /** The server's record of each customer's changes, the latest first: what syncs confirmed,
   * and colleagues' changes a test seeded. */
  private readonly serverHistory = new Map<ProfileId, HistoryRow[]>();

  /** Puts a change on the server's record of the customer, above the earlier ones, as if a
   * colleague (`who`, an email) had made it and it had synced (no call is recorded). */
  seedHistory(profileId: ProfileId, row: HistoryRow): void {
    this.serverHistory.set(profileId, [structuredClone(row), ...(this.serverHistory.get(profileId) ?? [])]);
  }

  profileHistory(id: ProfileId): Promise<HistoryView> {
    return this.answer('profile_history', { id }, () => {
      // A customer in the Trash has a History too; one deleted forever has none.
      const index = this.indexOfAny(id);
      const rows: HistoryRow[] = [];
      // The edits waiting to sync, the latest first, above the server's record.
      for (const mutation of [...this.outbox].reverse()) {
        const row = historyRowOf(mutation, index, true, '');
        if (row !== undefined) rows.push(row);
      }
      rows.push(...(this.serverHistory.get(this.idAt(index)) ?? []));
      const view: HistoryView = { rows };
      if (this.sync.account === undefined) {
        if (rows.every((r) => r.pending)) view.note = HISTORY_NOT_SIGNED_IN;
      } else if (this.sync.online === false) {
        view.note = HISTORY_OFFLINE;
      }
      return view;
    });
  }

  putBack(id: ProfileId, putBack: PutBack): Promise<ProfileDetails> {
    return this.answer('put_back', { id, putBack }, () => {
      // A new edit, as if made in Details: it is remembered for Undo and waits to sync.
      switch (putBack.kind) {
        case 'field':
          return this.patch(id, { [putBack.field]: putBack.value });
        case 'active':
          return this.setActive(id, putBack.active);
        default:
          throw apiError('invalid_request', 'unknown put back');
      }
    });
  }

  /** A sync confirmed the edits waiting: the server's record now holds them, by this manager. */
  private confirmOutbox(): void {
    const when = this.formatTime(new Date(this.now()).toISOString());
    for (const mutation of this.outbox) {
      const indices = mutation.kind === 'trash' || mutation.kind === 'restore' ? mutation.indices : [mutation.index];
      for (const index of indices) {
        const row = historyRowOf(mutation, index, false, when);
        if (row !== undefined) this.seedHistory(this.idAt(index), row);
      }
    }
    this.outbox.length = 0;
  }

  /** The actions Undo can take back, the latest last. */
  private readonly undoStack: UndoAction[] = [];

  private undoPeek(): UndoView | null {
    const top = this.undoStack[this.undoStack.length - 1];
    return top === undefined ? null : { label: top.label };
  }

  undoAvailable(): Promise<UndoView | null> {
    return this.answer('undo_available', {}, () => this.undoPeek());
  }

  undo(): Promise<UndoReport> {
    return this.answer('undo', {}, () => {
      const action = this.undoStack.pop();
      if (action === undefined) throw apiError('invalid_request', sentence('there is nothing to undo'));
      let restored = 0;
      const kept: UndoReport['kept'] = [];
      if (action.kind === 'job') {
        this.fireDueJobs();
        const job = this.jobList.find((j) => j.id === action.id);
        if (job === undefined) throw apiError('not_found', `no job with id ${action.id}`);
        if (job.state === 'pending') {
          job.state = 'cancelled';
          restored = 1;
        } else if (job.state === 'done') {
          // Set back: the customers it changed that still have the status it set (as the core).
          const set = job.action === 'archive' ? 'archived' : 'active';
          const back = set === 'archived' ? 'active' : 'archived';
          for (const index of [...(job.changed ?? [])].sort((a, b) => a - b)) {
            const now = this.profile(index);
            if (now.status !== set) continue;
            this.outbox.push({ kind: 'status', index, before: set, after: back });
            this.edited.set(index, { ...now, status: back });
            job.changed?.delete(index);
            restored += 1;
          }
          if (restored === 0) kept.push({ what: action.label, value: '', reason: 'its customers changed again since' });
          this.orderings.clear();
        } else {
          kept.push({ what: action.label, value: '', reason: job.state === 'cancelled' ? 'cancelled already' : 'taking effect now: undo once it is done' });
        }
        const next = this.undoPeek();
        return { label: action.label, restored, kept, ...(next === null ? {} : { next }) };
      }
      if (action.kind === 'trashed') {
        // Those still in the Trash come back; the others were restored or deleted forever since.
        const back = action.indices.filter((index) => this.trashed.has(index));
        for (const index of back) this.trashed.delete(index);
        if (back.length > 0) this.outbox.push({ kind: 'restore', indices: back });
        restored = back.length;
        const gone = action.indices.length - back.length;
        if (gone > 0) kept.push({ what: customers(gone), value: '', reason: 'no longer in the Trash' });
        this.orderings.clear();
        const next = this.undoPeek();
        return { label: action.label, restored, kept, ...(next === null ? {} : { next }) };
      }
      if (action.kind === 'members') {
        const segment = this.segmentsById.get(action.segment);
        if (segment === undefined) throw apiError('not_found', `no segment with id ${action.segment}`);
        const stillIn = action.added.filter((m) => segment.members.has(m));
        const stillOut = action.removed.filter((m) => !segment.members.has(m));
        for (const member of stillIn) segment.members.delete(member);
        for (const member of stillOut) segment.members.add(member);
        if (stillIn.length + stillOut.length > 0) segment.pending = true;
        restored = stillIn.length + stillOut.length;
        const changedIn = action.added.length - stillIn.length;
        const changed = changedIn + action.removed.length - stillOut.length;
        if (changed > 0) kept.push({ what: `${customers(changed)} of ${action.name}`, value: '', reason: changedIn === 0 ? 'added again since' : 'taken out since' });
        this.orderings.clear();
        const next = this.undoPeek();
        return { label: action.label, restored, kept, ...(next === null ? {} : { next }) };
      }
      const now = { ...this.profile(action.index) };
      if (action.kind === 'fields') {
        // The values put back are a new edit, waiting to sync like any other.
        const putBack: { field: Field; before: string; after: string }[] = [];
        for (const { field, before, after } of action.changed) {
          if (now[field] === after) {
            putBack.push({ field, before: after, after: before });
            now[field] = before;
            restored += 1;
          } else {
            kept.push({ what: fieldsLabel([field], now), value: now[field] });
          }
        }
        if (putBack.length > 0) this.outbox.push({ kind: 'patch', index: action.index, changed: putBack });
      } else if (now.status === action.after) {
        now.status = action.before;
        this.outbox.push({ kind: 'status', index: action.index, before: action.after, after: action.before });
        restored += 1;
      } else {
        kept.push({ what: `STATUS of ${usernameOf(now)}`, value: now.status === 'active' ? 'Active' : 'Archived' });
      }
      this.edited.set(action.index, now);
      this.orderings.clear();
      const next = this.undoPeek();
      return { label: action.label, restored, kept, ...(next === null ? {} : { next }) };
    });
  }

  /** Gives a customer a picture, as if it had come from the server (no call is recorded). */
  seedPicture(profileId: ProfileId, pending = false): PictureView {
    const picture: PictureView = { profileId, dataUrl: FAKE_PICTURE_URL, pending };
    this.picturesByProfile.set(profileId, picture);
    return structuredClone(picture);
  }

  /** Records the file's size rather than its bytes. */
  setProfilePicture(profileId: ProfileId, file: Uint8Array): Promise<ProfileDetails> {
    return this.answer('set_profile_picture', { profileId, size: file.length }, () => {
      const index = this.indexOf(profileId);
      checkPicture(file);
      this.picturesByProfile.set(profileId, { profileId, dataUrl: FAKE_PICTURE_URL, pending: true });
      return this.details(index);
    });
  }

  removeProfilePicture(profileId: ProfileId): Promise<ProfileDetails> {
    return this.answer('remove_profile_picture', { profileId }, () => {
      const index = this.indexOf(profileId);
      this.picturesByProfile.delete(profileId);
      return this.details(index);
    });
  }

  profilePictures(ids: ProfileId[]): Promise<PictureView[]> {
    return this.answer('profile_pictures', { ids }, () =>
      ids.flatMap((id) => {
        const picture = this.picturesByProfile.get(id);
        return picture === undefined ? [] : [picture];
      }),
    );
  }

  notes(profileId: ProfileId): Promise<NoteView[]> {
    return this.answer('notes', { profileId }, () => {
      this.indexOf(profileId);
      return [...(this.notesByProfile.get(profileId) ?? [])];
    });
  }

  addNote(profileId: ProfileId, body: string): Promise<NoteView> {
    return this.answer('add_note', { profileId, body }, () => {
      this.indexOf(profileId);
      checkNote(body);
      this.noteCounter += 1;
      const note: NoteView = {
        id: noteId(`note-${this.noteCounter}`),
        author: 'You',
        body,
        created: this.formatTime(new Date(this.now()).toISOString()),
        pending: true,
      };
      this.notesByProfile.set(profileId, [note, ...(this.notesByProfile.get(profileId) ?? [])]);
      return note;
    });
  }

  editNote(noteId: NoteId, body: string): Promise<NoteView> {
    return this.answer('edit_note', { noteId, body }, () => {
      checkNote(body);
      for (const [profileId, notes] of this.notesByProfile) {
        const at = notes.findIndex((n) => n.id === noteId);
        const current = notes[at];
        if (current === undefined) continue;
        const edited: NoteView = { ...current, body, edited: this.formatTime(new Date(this.now()).toISOString()), pending: true };
        this.notesByProfile.set(profileId, notes.map((n, i) => (i === at ? edited : n)));
        return edited;
      }
      throw apiError('not_found', `no note with id ${noteId}`);
    });
  }

  deleteNote(noteId: NoteId): Promise<void> {
    return this.answer('delete_note', { noteId }, () => {
      for (const [profileId, notes] of this.notesByProfile) {
        if (!notes.some((n) => n.id === noteId)) continue;
        this.notesByProfile.set(profileId, notes.filter((n) => n.id !== noteId));
        return;
      }
      throw apiError('not_found', `no note with id ${noteId}`);
    });
  }

  botSessions(profileId: ProfileId, search: string, order: SessionOrder): Promise<SessionView[]> {
    return this.answer('bot_sessions', { profileId, search, order }, () => {
      this.indexOf(profileId);
      const needle = search.trim().toLowerCase();
      const list = (this.sessionsByProfile.get(profileId) ?? []).filter((s) => s.bot.toLowerCase().includes(needle));
      return order === 'newestFirst' ? list : [...list].reverse();
    });
  }

  conversation(sessionId: SessionId): Promise<Conversation> {
    return this.answer('conversation', { sessionId }, () => {
      const talk = this.conversations.get(sessionId);
      if (talk === undefined) throw apiError('not_found', `no bot session with id ${sessionId}`);
      return talk;
    });
  }

  goalCompletions(profileId: ProfileId): Promise<GoalCompletionView[]> {
    return this.answer('goal_completions', { profileId }, () => {
      this.indexOf(profileId);
      return [...(this.goalsByProfile.get(profileId) ?? [])];
    });
  }

  dataRequests(profileId: ProfileId): Promise<DataRequestView[]> {
    return this.answer('data_requests', { profileId }, () => {
      this.indexOf(profileId);
      return [...(this.requestsByProfile.get(profileId) ?? [])];
    });
  }

  requestData(profileId: ProfileId, kind: DataRequestKind): Promise<DataRequestView> {
    return this.answer('request_data', { profileId, kind }, () => {
      this.indexOf(profileId);
      const list = this.requestsByProfile.get(profileId) ?? [];
      const request: DataRequestView = {
        id: requestId(`request-${list.length + 1}`),
        kind,
        state: 'queued',
        reason: '',
        requestedBy: 'You',
        requested: this.formatTime(new Date(this.now()).toISOString()),
        pending: true,
      };
      this.requestsByProfile.set(profileId, [request, ...list]);
      return request;
    });
  }

  timeZone(): Promise<string> {
    return this.answer('time_zone', {}, () => this.zone);
  }

  setTimeZone(timeZone: string): Promise<string> {
    return this.answer('set_time_zone', { timeZone }, () => {
      if (!(FAKE_TIME_ZONES as readonly string[]).includes(timeZone)) {
        throw apiError('invalid_time_zone', `unknown time zone: ${timeZone}`);
      }
      this.zone = timeZone;
      return timeZone;
    });
  }

  timeZoneNames(): Promise<string[]> {
    return this.answer('time_zone_names', {}, () => [...FAKE_TIME_ZONES]);
  }

  /** What `syncView` answers; tests change it to show other states. */
  sync: SyncView = { syncing: false, pending: 0, rejections: [] };

  syncView(): Promise<SyncView> {
    return this.answer('sync_view', {}, () => this.sync);
  }

  syncNow(): Promise<void> {
    return this.answer('sync_now', {}, () => {
      if (this.sync.account === undefined) {
        throw apiError('unauthorized', 'not signed in: sign in to the platform\'s server in Settings');
      }
      const { error: _error, ...rest } = this.sync;
      this.sync = { ...rest, online: true, pending: 0, lastSynced: 'Jun 1, 2025 12:00' };
      this.confirmOutbox();
    });
  }

  /** Accepts the token `udt_good` at https://users.example.com, as the fake platform's server. */
  signIn(form: SignIn): Promise<Account> {
    return this.answer('sign_in', { form }, () => {
      if (!form.serverUrl.startsWith('https://users.example.com')) {
        throw apiError('offline', 'the server could not be reached');
      }
      if (form.token.trim() !== 'udt_good') {
        throw apiError('unauthorized', 'the token is not valid (revoked or mistyped)');
      }
      const account: Account = { serverUrl: 'https://users.example.com', workspace: 'Acme', manager: 'ada@example.com', role: 'admin' };
      this.sync = { ...this.sync, account };
      return account;
    });
  }

  signOut(): Promise<void> {
    return this.answer('sign_out', {}, () => {
      const { account: _account, ...rest } = this.sync;
      this.sync = rest;
    });
  }

  dismissRejection(mutationId: number): Promise<void> {
    return this.answer('dismiss_rejection', { mutationId }, () => {
      this.sync = { ...this.sync, rejections: this.sync.rejections.filter((r) => r.mutation_id !== mutationId) };
    });
  }

  /** How many confirmed edits the server lost, as `recoverSync` answers (set by a test). */
  lostInRestore = 0;

  recoverSync(): Promise<number> {
    return this.answer('recover_sync', {}, () => {
      // Started again from the server and synced: the stop is over.
      const { error: _stopped, ...rest } = this.sync;
      this.sync = { ...rest, pending: 0, lastSynced: 'Jun 1, 2025 12:30' };
      this.confirmOutbox();
      return this.lostInRestore;
    });
  }

  backOnline(): Promise<void> {
    return this.answer('back_online', {}, () => undefined);
  }

  // ---- Properties ----

  /** Adds a property definition as if it had come from the server (no call is recorded). */
  seedProperty(draft: PropertyDraft, pending = false): PropertyView {
    const clean = checkPropertyDraft(draft, this.propertiesById.values());
    const view: PropertyView = { id: propertyId(this.nextId('property')), ...clean, pending };
    this.propertiesById.set(view.id, view);
    return structuredClone(view);
  }

  /** Gives a customer a value of a property, as if it had come from the server. */
  seedPropertyValue(profileId: ProfileId, propertyId: PropertyId, value: string): void {
    const values = this.propertyValues.get(profileId) ?? new Map<PropertyId, { value: string; pending: boolean }>();
    values.set(propertyId, { value, pending: false });
    this.propertyValues.set(profileId, values);
    this.orderings.clear();
  }

  properties(search: string, sort: PropertySort, direction: SortDirection): Promise<PropertyView[]> {
    return this.answer('properties', { search, sort, direction }, () => {
      const needle = search.trim().toLowerCase();
      const list = [...this.propertiesById.values()].filter(
        (p) => p.name.toLowerCase().includes(needle) || p.description.toLowerCase().includes(needle),
      );
      list.sort((a, b) => (sort === 'format' ? codePointOrder(a.format, b.format) : 0) || byName(a, b));
      return direction === 'desc' ? list.reverse() : list;
    });
  }

  createProperty(draft: PropertyDraft): Promise<PropertyView> {
    return this.answer('create_property', { draft }, () => {
      const clean = checkPropertyDraft(draft, this.propertiesById.values());
      const view: PropertyView = { id: propertyId(this.nextId('property')), ...clean, pending: true };
      this.propertiesById.set(view.id, view);
      return view;
    });
  }

  updateProperty(id: PropertyId, draft: PropertyDraft): Promise<PropertyView> {
    return this.answer('update_property', { id, draft }, () => {
      const current = this.propertyOf(id);
      if (draft.format !== current.format) {
        throw apiError(
          'invalid_request',
          `The format of ${JSON.stringify(current.name)} stays ${current.format}: its values were checked against it; create a new property for another format`,
        );
      }
      const clean = checkPropertyDraft(draft, [...this.propertiesById.values()].filter((p) => p.id !== id));
      // The same definition queues nothing: it stays as confirmed (or as pending) as it was.
      const same =
        clean.name === current.name &&
        clean.description === current.description &&
        clean.choices.length === current.choices.length &&
        clean.choices.every((c, i) => c === current.choices[i]);
      if (same) return current;
      const view: PropertyView = { ...current, ...clean, pending: true };
      this.propertiesById.set(id, view);
      return view;
    });
  }

  deleteProperty(id: PropertyId): Promise<void> {
    return this.answer('delete_property', { id }, () => {
      this.propertyOf(id);
      this.propertiesById.delete(id);
      for (const values of this.propertyValues.values()) values.delete(id);
      this.orderings.clear();
    });
  }

  profileProperties(profileId: ProfileId): Promise<ProfilePropertyView[]> {
    return this.answer('profile_properties', { profileId }, () => {
      this.indexOf(profileId);
      return this.propertiesOfProfile(profileId);
    });
  }

  setProfileProperty(profileId: ProfileId, propertyId: PropertyId, value: string | null): Promise<ProfilePropertyView[]> {
    return this.answer('set_profile_property', { profileId, propertyId, value }, () => {
      this.indexOf(profileId);
      const property = this.propertyOf(propertyId);
      const values = this.propertyValues.get(profileId) ?? new Map<PropertyId, { value: string; pending: boolean }>();
      // No value, or only blanks, removes it; the same value queues nothing (nor turns pending).
      const wanted = value === null || value.trim() === '' ? undefined : checkValue(property, value);
      if (wanted === values.get(propertyId)?.value) return this.propertiesOfProfile(profileId);
      if (wanted === undefined) {
        values.delete(propertyId);
      } else {
        values.set(propertyId, { value: wanted, pending: true });
      }
      this.propertyValues.set(profileId, values);
      this.orderings.clear();
      return this.propertiesOfProfile(profileId);
    });
  }

  // ---- Segments ----

  /** Adds a segment as if it had come from the server (no call is recorded). */
  seedSegment(draft: SegmentDraft, members: readonly ProfileId[] = [], pending = false): SegmentView {
    const clean = checkSegmentDraft(draft, this.segmentsById.values(), this.goalList, this.propertiesById);
    const segment: FakeSegment = { id: segmentId(this.nextId('segment')), ...clean, members: new Set(members), pending };
    this.segmentsById.set(segment.id, segment);
    this.orderings.clear();
    return this.segmentView(segment);
  }

  segments(search: string): Promise<SegmentView[]> {
    return this.answer('segments', { search }, () => {
      const needle = search.trim().toLowerCase();
      return [...this.segmentsById.values()]
        .filter((s) => s.name.toLowerCase().includes(needle) || s.description.toLowerCase().includes(needle))
        .sort(byName)
        .map((s) => this.segmentView(s));
    });
  }

  createSegment(draft: SegmentDraft, members: ProfileId[]): Promise<SegmentView> {
    return this.answer('create_segment', { draft, members }, () => {
      const clean = checkSegmentDraft(draft, this.segmentsById.values(), this.goalList, this.propertiesById);
      // Each picked customer must exist; the core looks for the missing one in the order of ids.
      for (const member of [...new Set(members)].sort(codePointOrder)) this.indexOf(member);
      const segment: FakeSegment = { id: segmentId(this.nextId('segment')), ...clean, members: new Set(members), pending: true };
      this.segmentsById.set(segment.id, segment);
      this.orderings.clear();
      return this.segmentView(segment);
    });
  }

  updateSegment(id: SegmentId, draft: SegmentDraft): Promise<SegmentView> {
    return this.answer('update_segment', { id, draft }, () => {
      const segment = this.segmentOf(id);
      const others = [...this.segmentsById.values()].filter((s) => s.id !== id);
      const clean = checkSegmentDraft(draft, others, this.goalList, this.propertiesById);
      // The same segment queues nothing: it stays as confirmed (or as pending) as it was.
      const same =
        clean.name === segment.name &&
        clean.description === segment.description &&
        JSON.stringify(clean.rules.map(canonicalRule)) === JSON.stringify(segment.rules.map(canonicalRule));
      if (same) return this.segmentView(segment);
      segment.name = clean.name;
      segment.description = clean.description;
      segment.rules = clean.rules;
      segment.pending = true;
      this.orderings.clear();
      return this.segmentView(segment);
    });
  }

  deleteSegment(id: SegmentId): Promise<void> {
    return this.answer('delete_segment', { id }, () => {
      this.segmentOf(id);
      this.segmentsById.delete(id);
      this.orderings.clear();
    });
  }

  profileSegments(profileId: ProfileId): Promise<SegmentRef[]> {
    return this.answer('profile_segments', { profileId }, () => {
      const profile = this.profile(this.indexOf(profileId));
      return [...this.segmentsById.values()]
        .filter((s) => this.inSegment(profile, s))
        .sort(byName)
        .map((s) => ({ id: s.id, name: s.name, handpicked: s.members.has(profileId) }));
    });
  }

  goals(): Promise<Goal[]> {
    return this.answer('goals', {}, () => [...this.goalList]);
  }

  goalSummaries(): Promise<GoalSummary[]> {
    return this.answer('goal_summaries', {}, () =>
      [...this.goalList]
        .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()))
        .map((goal) => ({
          ...goal,
          completed: [...this.goalsByProfile.keys()].filter((id) => this.completed(id, goal)).length,
        })),
    );
  }

  // ---- Bulk actions on a selection, and jobs ----

  createSegmentFrom(draft: SegmentDraft, selection: Selection): Promise<SegmentView> {
    return this.answer('create_segment_from', { draft, selection }, () => {
      const clean = checkSegmentDraft(draft, this.segmentsById.values(), this.goalList, this.propertiesById);
      const members = this.resolve(selection).map((i) => this.idAt(i));
      if (members.length === 0) throw apiError('invalid_request', 'Select at least one customer');
      const segment: FakeSegment = { id: segmentId(this.nextId('segment')), ...clean, members: new Set(members), pending: true };
      this.segmentsById.set(segment.id, segment);
      this.orderings.clear();
      return this.segmentView(segment);
    });
  }

  addToSegment(id: SegmentId, selection: Selection): Promise<SegmentView> {
    return this.answer('add_to_segment', { id, selection }, () => {
      const segment = this.segmentsById.get(id);
      if (segment === undefined) throw apiError('not_found', `no segment with id ${id}`);
      const members = this.resolve(selection).map((i) => this.idAt(i));
      if (members.length === 0) throw apiError('invalid_request', 'Select at least one customer');
      const added = [...new Set(members)].filter((m) => !segment.members.has(m)).sort();
      for (const member of members) segment.members.add(member);
      segment.pending = true;
      if (added.length > 0) {
        const label = `Added ${customers(added.length)} to ${segment.name}`;
        this.undoStack.push({ label, kind: 'members', segment: id, name: segment.name, added, removed: [] });
      }
      this.orderings.clear();
      return this.segmentView(segment);
    });
  }

  removeFromSegment(id: SegmentId, selection: Selection): Promise<SegmentView> {
    return this.answer('remove_from_segment', { id, selection }, () => {
      const segment = this.segmentsById.get(id);
      if (segment === undefined) throw apiError('not_found', `no segment with id ${id}`);
      const members = this.resolve(selection).map((i) => this.idAt(i));
      if (members.length === 0) throw apiError('invalid_request', 'Select at least one customer');
      const other = members.find((m) => !segment.members.has(m));
      if (other !== undefined) {
        throw apiError(
          'invalid_request',
          `Customer ${other} was not added to "${segment.name}" by hand: a customer in a segment by its rules leaves it when the rules change`,
        );
      }
      for (const member of members) segment.members.delete(member);
      segment.pending = true;
      const removed = [...new Set(members)].sort();
      const label = `Took ${customers(removed.length)} out of ${segment.name}`;
      this.undoStack.push({ label, kind: 'members', segment: id, name: segment.name, added: [], removed });
      this.orderings.clear();
      return this.segmentView(segment);
    });
  }

  /** Delete: the customers move to the Trash, deleted by this manager now; Undo restores them. */
  deleteProfiles(selection: Selection): Promise<number> {
    return this.answer('delete_profiles', { selection }, () => {
      const indices = this.resolve(selection);
      if (indices.length === 0) throw apiError('invalid_request', 'Select at least one customer');
      const atMs = this.now();
      for (const index of indices) this.trashed.set(index, { atMs, by: '' });
      this.outbox.push({ kind: 'trash', indices });
      const [only] = indices;
      const label = indices.length === 1 && only !== undefined ? `Deleted ${usernameOf(this.profile(only))}` : `Deleted ${customers(indices.length)}`;
      this.undoStack.push({ label, kind: 'trashed', indices });
      this.orderings.clear();
      return indices.length;
    });
  }

  /** Puts a customer in the Trash as if a colleague (`by`, an email) had deleted them at `atMs`
   * and it had synced (no call is recorded, and Undo knows nothing of it). */
  seedTrashed(index: number, by: string, atMs: number = this.now()): void {
    if (!this.exists(index)) throw new Error(`no customer at ${index} to put in the Trash`);
    this.trashed.set(index, { atMs, by });
    this.orderings.clear();
  }

  /** Whether the customer at a generation index is in the Trash. */
  isTrashed(index: number): boolean {
    return this.trashed.has(index);
  }

  trash(query: TrashQuery): Promise<TrashPage> {
    return this.answer('trash', { query }, () => {
      if (!(query.limit >= 1 && query.limit <= MAX_TRASH_PAGE)) {
        throw apiError('invalid_request', sentence(`a page of the Trash holds 1 to ${MAX_TRASH_PAGE} customers`));
      }
      const me = this.sync.account?.manager;
      const rows = this.trashOrder()
        .slice(query.offset, query.offset + query.limit)
        .map((index): TrashRow => {
          const { atMs, by } = this.trashed.get(index) ?? { atMs: 0, by: '' };
          const profile = this.profile(index);
          return {
            id: profile.id,
            username: usernameOf(profile),
            email: profile.email,
            deletedBy: by === '' || by === me ? 'you' : by,
            deleted: this.formatTime(new Date(atMs).toISOString()),
            purgeOn: this.formatDate(new Date(atMs + TRASH_DAYS * DAY_MS).toISOString()),
          };
        });
      return { rows, total: this.trashed.size };
    });
  }

  /** Restore: the customers of the Trash go back to the table as they are. */
  restoreProfiles(selection: TrashSelection): Promise<number> {
    return this.answer('restore_profiles', { selection }, () => {
      const ids = this.inTrash(selection);
      const back = this.trashedAmong(ids);
      if (back.length === 0) throw notInTrash(ids.length);
      for (const index of back) this.trashed.delete(index);
      this.outbox.push({ kind: 'restore', indices: back });
      this.orderings.clear();
      return back.length;
    });
  }

  /** Delete forever: the customers of the Trash are gone for good. */
  deleteForever(selection: TrashSelection): Promise<number> {
    return this.answer('delete_forever', { selection }, () => {
      const ids = this.inTrash(selection);
      const gone = this.trashedAmong(ids);
      if (gone.length === 0) throw notInTrash(ids.length);
      for (const index of gone) {
        this.trashed.delete(index);
        this.deleted.add(index);
      }
      this.orderings.clear();
      return gone.length;
    });
  }

  scheduleJob(action: JobAction, selection: Selection): Promise<JobView> {
    return this.answer('schedule_job', { action, selection }, () => {
      let target: FakeJob['target'];
      let total: number;
      if (selection.kind === 'ids') {
        const ids = new Set(selection.ids);
        for (const id of ids) this.indexOf(id);
        target = { ids };
        total = ids.size;
      } else {
        // The filter is kept, and resolved when the job fires; the total is what it matches now.
        target = { filter: structuredClone(selection.filter) };
        total = this.ordering(selection.filter, BY_USERNAME).length;
      }
      if (total === 0) throw apiError('invalid_request', 'Select at least one customer');
      const job: FakeJob = {
        id: jobId(this.nextId('job')),
        action,
        state: 'pending',
        total,
        applied: 0,
        runAtMs: this.now() + this.jobDelaySeconds * 1000,
        target,
      };
      this.jobList.push(job);
      const label = `Scheduled ${action === 'activate' ? 'Active' : 'Archive'} for ${customers(total)}`;
      this.undoStack.push({ label, kind: 'job', id: job.id });
      return this.jobView(job);
    });
  }

  cancelJob(id: JobId): Promise<void> {
    return this.answer('cancel_job', { id }, () => {
      // The core's timer fires a job at its time whether or not anyone looks.
      this.fireDueJobs();
      const job = this.jobList.find((j) => j.id === id);
      if (job === undefined) throw apiError('not_found', `no job with id ${id}`);
      if (job.state === 'cancelled') throw apiError('invalid_request', 'The job is already cancelled');
      if (job.state !== 'pending') {
        throw apiError('invalid_request', 'The job has already fired: its changes are being made or are made');
      }
      job.state = 'cancelled';
    });
  }

  jobs(): Promise<JobView[]> {
    return this.answer('jobs', {}, () => {
      this.fireDueJobs();
      const active = this.jobList.filter((j) => j.state === 'pending' || j.state === 'running').sort((a, b) => a.runAtMs - b.runAtMs);
      const finished = this.jobList
        .filter((j) => j.state === 'done' || j.state === 'cancelled')
        .sort((a, b) => b.runAtMs - a.runAtMs)
        .slice(0, FINISHED_JOBS_LISTED);
      return [...active, ...finished].map((j) => this.jobView(j));
    });
  }

  jobDelay(): Promise<number> {
    return this.answer('job_delay', {}, () => this.jobDelaySeconds);
  }

  setJobDelay(seconds: number): Promise<number> {
    return this.answer('set_job_delay', { seconds }, () => {
      if (!Number.isInteger(seconds) || seconds < 0) {
        throw apiError('invalid_request', `The delay is a whole number of seconds, not ${seconds}`);
      }
      if (seconds > MAX_JOB_DELAY) {
        throw apiError('invalid_request', `The delay is at most a week (${MAX_JOB_DELAY} seconds), not ${seconds}`);
      }
      this.jobDelaySeconds = seconds;
      return seconds;
    });
  }

  /** What Settings' About shows; tests change it to show other states. */
  update: UpdateView = {
    version: '0.1.0',
    status: 'not_checked',
    message: 'Userdesk looks for updates once a day.',
    canCheck: true,
  };

  /** What "Check for updates" finds next (as the core would after asking the update server). */
  nextUpdate: UpdateView | undefined;

  /** What "Copy diagnostics" put on the clipboard. */
  clipboard: string | undefined;

  updateView(): Promise<UpdateView> {
    return this.answer('update_view', {}, () => this.update);
  }

  checkForUpdates(): Promise<UpdateView> {
    return this.answer('check_for_updates', {}, () => {
      if (this.update.canCheck && this.nextUpdate !== undefined) this.update = this.nextUpdate;
      return this.update;
    });
  }

  restartToUpdate(): Promise<void> {
    return this.answer('restart_to_update', {}, () => {
      if (this.update.status !== 'ready') {
        throw apiError('invalid_request', 'No update is ready to install: check for updates first');
      }
    });
  }

  firstRowsShown(): Promise<void> {
    return this.answer('first_rows_shown', {}, () => undefined);
  }

  openLogsFolder(): Promise<void> {
    return this.answer('open_logs_folder', {}, () => undefined);
  }

  copyDiagnostics(): Promise<string> {
    return this.answer('copy_diagnostics', {}, () => {
      this.clipboard = `Userdesk ${this.update.version}\nSystem: linux x86_64 (unix)\n`;
      return this.clipboard;
    });
  }

  /** Applies every pending job whose time has passed by `now()`, as the core's timer would have. */
  fireDueJobs(): void {
    const now = this.now();
    const due = this.jobList.filter((j) => j.state === 'pending' && j.runAtMs <= now).sort((a, b) => a.runAtMs - b.runAtMs);
    for (const job of due) {
      const status = job.action === 'archive' ? 'archived' : 'active';
      const target = job.target;
      const indices =
        'ids' in target
          ? [...target.ids].map((id) => this.indexOfId(id)).filter((i): i is number => i !== undefined && this.exists(i))
          : this.resolve({ kind: 'filter', filter: target.filter });
      job.changed = new Set();
      for (const index of indices) {
        const before = this.profile(index);
        // Each customer whose status changes gets an edit of their own, as the core queues them.
        if (before.status !== status) {
          this.outbox.push({ kind: 'status', index, before: before.status, after: status });
          job.changed.add(index);
        }
        this.edited.set(index, { ...before, status });
      }
      this.orderings.clear();
      job.applied = indices.length;
      job.customers = new Set(indices.map((i) => this.idAt(i)));
      job.state = 'done';
      job.completedMs = now;
    }
  }

  /** The generation indices of the Trash, the latest deleted first, ties by id (as the core). */
  private trashOrder(): number[] {
    return [...this.trashed.entries()]
      .sort(([a, x], [b, y]) => y.atMs - x.atMs || codePointOrder(this.idAt(a).toLowerCase(), this.idAt(b).toLowerCase()))
      .map(([index]) => index);
  }

  /** The ids a Trash selection names, refused when it names none (crates/core/src/app/trash.rs). */
  private inTrash(selection: TrashSelection): ProfileId[] {
    let ids: ProfileId[];
    if (selection.kind === 'all') {
      ids = this.trashOrder().map((index) => this.idAt(index));
    } else {
      if (selection.ids.length === 0) throw apiError('invalid_request', sentence('select at least one customer in the Trash'));
      ids = [...selection.ids];
    }
    if (ids.length === 0) throw apiError('invalid_request', sentence('the Trash is empty'));
    return ids;
  }

  /** The generation indices of those of `ids` the Trash holds, each once. */
  private trashedAmong(ids: readonly ProfileId[]): number[] {
    const found = new Set<number>();
    for (const id of ids) {
      const index = this.indexOfId(id);
      if (index !== undefined && this.trashed.has(index)) found.add(index);
    }
    return [...found];
  }

  /** The customers a selection holds, as generation indices; each picked id must exist. */
  private resolve(selection: Selection): number[] {
    if (selection.kind === 'ids') return [...new Set(selection.ids)].map((id) => this.indexOf(id));
    const ordering = this.ordering(selection.filter, BY_USERNAME);
    const indices: number[] = [];
    for (let position = 0; position < ordering.length; position += 1) indices.push(ordering.at(position));
    return indices;
  }

  private jobView(job: FakeJob): JobView {
    const view: JobView = {
      id: job.id,
      action: job.action,
      state: job.state,
      total: job.total,
      applied: job.applied,
      runAt: this.formatTime(new Date(job.runAtMs).toISOString()),
      runAtMs: job.runAtMs,
    };
    if (job.completedMs !== undefined) view.completed = this.formatTime(new Date(job.completedMs).toISOString());
    return view;
  }

  private nextId(kind: string): string {
    this.recordCounter += 1;
    return `${kind}-${this.recordCounter}`;
  }

  /** The core resolves a Segment filter before anything else: a segment it does not know (deleted
   * meanwhile) is refused as not found, not shown as empty. */
  private checkSegmentFilter(filter: ProfileFilter): void {
    if (filter.segment != null) this.segmentOf(filter.segment);
    if (filter.goal != null && !this.goalList.some((g) => g.id === filter.goal)) {
      throw apiError('not_found', `no goal with id ${filter.goal}`);
    }
  }

  /** Whether the customer completed the goal (by the goal's name, as Details lists them). */
  private completed(id: ProfileId, goal: Goal | undefined): boolean {
    return goal !== undefined && (this.goalsByProfile.get(id) ?? []).some((c) => c.goal === goal.name);
  }

  private propertyOf(id: PropertyId): PropertyView {
    const property = this.propertiesById.get(id);
    if (property === undefined) throw apiError('not_found', `no property with id ${id}`);
    return property;
  }

  private segmentOf(id: SegmentId): FakeSegment {
    const segment = this.segmentsById.get(id);
    if (segment === undefined) throw apiError('not_found', `no segment with id ${id}`);
    return segment;
  }

  private propertiesOfProfile(profileId: ProfileId): ProfilePropertyView[] {
    const list: ProfilePropertyView[] = [];
    for (const [propertyId, { value, pending }] of this.propertyValues.get(profileId) ?? []) {
      const property = this.propertiesById.get(propertyId);
      if (property === undefined) continue;
      list.push({ propertyId, name: property.name, format: property.format, choices: [...property.choices], value, pending });
    }
    return list.sort(byName);
  }

  private segmentView(segment: FakeSegment): SegmentView {
    let members = 0;
    if (segment.rules.length === 0) {
      for (const id of segment.members) {
        const index = this.indexOfId(id);
        if (index !== undefined && this.exists(index)) members += 1;
      }
    } else {
      for (let i = 0; i < this.size; i += 1) if (this.exists(i) && this.inSegment(this.profile(i), segment)) members += 1;
    }
    return {
      id: segment.id,
      name: segment.name,
      description: segment.description,
      rules: structuredClone(segment.rules),
      members,
      pending: segment.pending,
    };
  }

  /** Hand-picked, or (for a segment with rules) meeting every rule. */
  private inSegment(p: Profile, segment: FakeSegment): boolean {
    if (segment.members.has(p.id)) return true;
    return segment.rules.length > 0 && segment.rules.every((rule) => this.ruleHolds(p, rule));
  }

  private ruleHolds(p: Profile, rule: SegmentRule): boolean {
    switch (rule.rule) {
      case 'status':
        return p.status === rule.status;
      case 'last_seen':
        return seenWithin(p, rule.window);
      case 'goal': {
        const goal = this.goalList.find((g) => g.id === rule.goal_id);
        const done = goal !== undefined && (this.goalsByProfile.get(p.id) ?? []).some((c) => c.goal === goal.name);
        return done === rule.completed;
      }
      case 'property': {
        // As the core: "not equals" and "is not set" are the customers outside "equals" and
        // "is set" (so a customer without a value is not equal to anything); a deleted
        // property's rule holds for nobody, and its negated rules for everyone.
        const property = this.propertiesById.get(rule.property_id);
        const value = property === undefined ? undefined : this.propertyValues.get(p.id)?.get(rule.property_id)?.value;
        const format = property?.format ?? 'text';
        const negated = rule.operator === 'not_equals' || rule.operator === 'is_not_set';
        const operator = rule.operator === 'not_equals' ? 'equals' : rule.operator === 'is_not_set' ? 'is_set' : rule.operator;
        const meets = value !== undefined && valueMeets(format, operator, value, rule.value);
        return negated ? !meets : meets;
      }
    }
  }

  /** Records the call, then answers asynchronously with a copy, as IPC would. */
  private answer<T>(command: string, args: Record<string, unknown>, compute: () => T): Promise<T> {
    this.calls.push({ command, args: structuredClone(args) });
    const at = this.failures.findIndex((f) => f.command === command);
    const [failure] = at >= 0 ? this.failures.splice(at, 1) : [];
    return new Promise<T>((resolve, reject) => {
      setTimeout(() => {
        if (failure !== undefined) {
          reject(failure.error);
          return;
        }
        try {
          resolve(structuredClone(compute()));
        } catch (error) {
          reject(error);
        }
      }, this.latency);
    });
  }

  /** The generation index of an id, whether or not that customer exists. */
  private indexOfId(id: string): number | undefined {
    return this.seeded === undefined ? indexOfId(id) : this.seededIndex.get(id);
  }

  /** The id of the customer at a generation index. */
  private idAt(index: number): ProfileId {
    return this.seeded?.[index]?.id ?? fakeId(index);
  }

  private indexOf(id: ProfileId): number {
    const index = this.indexOfId(id);
    if (index === undefined || !this.exists(index)) throw apiError('not_found', `no profile with id ${id}`);
    return index;
  }

  /** The generation index of a customer in the table or in the Trash (as the core's read_any). */
  private indexOfAny(id: ProfileId): number {
    const index = this.indexOfId(id);
    if (index === undefined || index < 0 || index >= this.size || this.deleted.has(index)) {
      throw apiError('not_found', `no profile with id ${id}`);
    }
    return index;
  }

  /** Whether the customer at a generation index exists (neither deleted forever nor in the Trash). */
  private exists(index: number): boolean {
    return index >= 0 && index < this.size && !this.deleted.has(index) && !this.trashed.has(index);
  }

  private generate(i: number): Profile {
    const seeded = this.seeded?.[i];
    if (seeded !== undefined) return structuredClone(seeded);
    const firstName = FIRST_NAMES[Math.floor((i * FIRST_NAMES.length) / this.size)] ?? 'Ada';
    const platform = PLATFORMS[i % PLATFORMS.length] ?? 'desktop';
    const createdAt = FIRST_CREATED + i * 70_000;
    const lastSeenAt = Math.min(FAKE_NOW, createdAt + (i % 90) * DAY_MS);
    return {
      id: fakeId(i),
      email: i % 7 === 3 ? '' : `${firstName.toLowerCase()}.${pad(i, 7)}@example.com`,
      firstName,
      lastName: `Tester ${pad(i, 7)}`,
      phone: i % 5 === 2 ? '' : `+1415555${pad(i % 10_000, 4)}`,
      location: LOCATIONS[i % LOCATIONS.length] ?? '',
      createdAt: new Date(createdAt).toISOString(),
      lastSeenAt: new Date(lastSeenAt).toISOString(),
      device: DEVICES[platform],
      sessions: (i * 7919) % 250,
      liveChatTakeover: i % 4 === 0,
      status: i >= this.size - this.archived ? 'archived' : 'active',
      kind: i % 3 === 0 ? 'anonymous' : 'registered',
      platform,
    };
  }

  /** An instant as the core shows it: chrono's "%b %-d, %Y %H:%M" in the zone, e.g.
   * "Aug 30, 2024 06:42" (English month abbreviations, 24-hour clock). */
  private formatTime(iso: string): string {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: this.zone,
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(new Date(iso));
    const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
    return `${part('month')} ${Number(part('day'))}, ${part('year')} ${part('hour').padStart(2, '0')}:${part('minute').padStart(2, '0')}`;
  }

  /** A day as the core shows it: chrono's "%b %-d, %Y" in the zone, e.g. "Dec 31, 2026". */
  private formatDate(iso: string): string {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: this.zone, day: 'numeric', month: 'short', year: 'numeric' }).formatToParts(
      new Date(iso),
    );
    const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
    return `${part('month')} ${Number(part('day'))}, ${part('year')}`;
  }

  private row(p: Profile): ProfileRow {
    const row: ProfileRow = {
      id: p.id,
      username: usernameOf(p),
      email: p.email,
      phone: p.phone,
      location: p.location,
      created: this.formatTime(p.createdAt),
      lastSeen: this.formatTime(p.lastSeenAt),
      sessions: p.sessions,
      status: p.status,
    };
    const job = this.pendingJobOf(p);
    if (job !== undefined) row.pendingJob = job.action;
    return row;
  }

  /** The pending job that will change the customer last (the one whose status will stay). */
  private pendingJobOf(p: Profile): FakeJob | undefined {
    let found: FakeJob | undefined;
    for (const job of this.jobList) {
      if (job.state !== 'pending' || (found !== undefined && found.runAtMs > job.runAtMs)) continue;
      const target = job.target;
      if ('ids' in target ? target.ids.has(p.id) : this.matches(p, target.filter)) found = job;
    }
    return found;
  }

  private details(index: number): ProfileDetails {
    const profile = this.profile(index);
    const details: ProfileDetails = {
      profile,
      username: usernameOf(profile),
      created: this.formatTime(profile.createdAt),
      lastSeen: this.formatTime(profile.lastSeenAt),
      timeZone: this.zone,
    };
    const picture = this.picturesByProfile.get(profile.id);
    if (picture !== undefined) details.picture = picture;
    return details;
  }

  /** The value `column` sorts a profile by, as the core stores it. */
  private sortValue(p: Profile, column: SortOrder['column']): string | number {
    switch (column) {
      case 'username':
        return usernameOf(p);
      case 'email':
        return p.email;
      case 'phone':
        return p.phone;
      case 'location':
        return p.location;
      case 'created':
        return Date.parse(p.createdAt);
      case 'lastSeen':
        return Date.parse(p.lastSeenAt);
      case 'sessions':
        return p.sessions;
      case 'status':
        return p.status;
    }
  }

  private sortKey(p: Profile, sort: SortOrder): SortKey {
    return { value: toSortValue(this.sortValue(p, sort.column)), id: p.id.toLowerCase() };
  }

  /** The cursor value of the row a page ended on: the column's value as the core keeps it. */
  private cursorValue(id: ProfileId, sort: SortOrder): CursorValue {
    const value = this.sortValue(this.profile(this.indexOf(id)), sort.column);
    return typeof value === 'number' ? { type: 'int', value } : { type: 'text', value };
  }

  /** Where the rows strictly after the cursor (its value, then its id) start, as the core's
   * keyset condition finds them, whether or not the cursor's row is still there or has changed. */
  private positionAfter(ordering: Ordering, after: Cursor, sort: SortOrder, filter: ProfileFilter): number {
    const cursor: SortKey = { value: toSortValue(after.value.value), id: after.id.toLowerCase() };
    const compare = (key: SortKey): number => compareSortKeys(key, cursor, sort, filter);
    const index = this.indexOfId(after.id);
    const position = index === undefined ? undefined : ordering.positionOf(index);
    if (position !== undefined && compare(this.sortKey(this.profile(ordering.at(position)), sort)) === 0) return position + 1;
    // The row left the list or changed since: count the rows that sort at or before the cursor.
    let low = 0;
    let high = ordering.length;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      if (compare(this.sortKey(this.profile(ordering.at(middle)), sort)) <= 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private matches(p: Profile, filter: ProfileFilter): boolean {
    if (filter.status !== undefined && p.status !== filter.status) return false;
    if (filter.kind !== undefined && p.kind !== filter.kind) return false;
    if (filter.platform !== undefined && p.platform !== filter.platform) return false;
    if (!seenWithin(p, filter.lastSeen)) return false;
    if (filter.segment !== undefined) {
      // A segment deleted meanwhile has no members.
      const segment = this.segmentsById.get(filter.segment);
      if (segment === undefined || !this.inSegment(p, segment)) return false;
    }
    if (filter.job !== undefined) {
      // A job not done, or no longer known, has no customers to show.
      const job = this.jobList.find((j) => j.id === filter.job);
      if (job?.customers?.has(p.id) !== true) return false;
    }
    if (filter.goal !== undefined && !this.completed(p.id, this.goalList.find((g) => g.id === filter.goal))) return false;
    return matchesSearch(p, filter.search);
  }

  private ordering(filter: ProfileFilter, sort: SortOrder): Ordering {
    const key = JSON.stringify({ filter, sort });
    let ordering = this.orderings.get(key);
    if (ordering === undefined) {
      ordering = this.isDefaultQuery(filter, sort) ? this.arithmeticOrdering(filter, sort) : this.sortedOrdering(filter, sort);
      this.orderings.set(key, ordering);
    }
    return ordering;
  }

  /** A huge list with no search or filter other than status, by username: generated usernames
   * already sort by position, so no profile needs to be looked at. */
  private isDefaultQuery(filter: ProfileFilter, sort: SortOrder): boolean {
    return (
      this.size > MATERIALISE_LIMIT &&
      this.edited.size === 0 &&
      this.deleted.size === 0 &&
      this.trashed.size === 0 &&
      this.customise === undefined &&
      filter.search.trim() === '' &&
      filter.kind === undefined &&
      filter.platform === undefined &&
      filter.lastSeen === 'any' &&
      filter.segment === undefined &&
      filter.job === undefined &&
      filter.goal === undefined &&
      sort.column === 'username'
    );
  }

  private arithmeticOrdering(filter: ProfileFilter, sort: SortOrder): Ordering {
    const activeCount = this.size - this.archived;
    const [start, length] =
      filter.status === 'active' ? [0, activeCount] : filter.status === 'archived' ? [activeCount, this.archived] : [0, this.size];
    const descending = sort.direction === 'desc';
    return {
      length,
      at: (position) => (descending ? start + length - 1 - position : start + position),
      positionOf: (index) => {
        if (index < start || index >= start + length) return undefined;
        return descending ? start + length - 1 - index : index - start;
      },
    };
  }

  private sortedOrdering(filter: ProfileFilter, sort: SortOrder): Ordering {
    const keyed: { index: number; key: SortKey }[] = [];
    for (let i = 0; i < this.size; i += 1) {
      if (!this.exists(i)) continue;
      const p = this.profile(i);
      if (this.matches(p, filter)) keyed.push({ index: i, key: this.sortKey(p, sort) });
    }
    keyed.sort((a, b) => compareSortKeys(a.key, b.key, sort, filter));
    const indices = keyed.map((k) => k.index);
    let positions: Map<number, number> | undefined;
    return {
      length: indices.length,
      at: (position) => indices[position] ?? 0,
      positionOf: (index) => {
        positions ??= new Map(indices.map((idx, position) => [idx, position]));
        return positions.get(index);
      },
    };
  }
}

/** A number as Rust's f64 parse reads a (trimmed) value, or undefined. */
function parseNumber(raw: string): number | undefined {
  const trimmed = raw.trim();
  if (NUMBER.test(trimmed)) return Number(trimmed);
  if (/^[+-]?(inf|infinity)$/i.test(trimmed)) return trimmed.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(trimmed)) return NaN;
  return undefined;
}

/** Whether a customer's value meets a property rule (crates/core/src/store/segments.rs,
 * value_meets): numbers by value, text equal ignoring case, other formats exactly; text and
 * dates compare by their code points. */
function valueMeets(format: PropertyFormat, operator: RuleOperator, value: string, wanted: string): boolean {
  switch (operator) {
    case 'equals':
    case 'not_equals': {
      if (format === 'number') {
        const a = parseNumber(value);
        return a !== undefined && a === parseNumber(wanted);
      }
      if (format === 'text') return value.toLowerCase() === wanted.toLowerCase();
      return value === wanted;
    }
    case 'contains':
      return value.toLowerCase().includes(wanted.toLowerCase());
    case 'greater_than':
    case 'less_than': {
      let order: number | undefined;
      if (format === 'number') {
        const a = parseNumber(value);
        const b = parseNumber(wanted);
        order = a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b) ? undefined : Math.sign(a - b) || 0;
      } else {
        order = codePointOrder(value, wanted);
      }
      return order === (operator === 'greater_than' ? 1 : -1);
    }
    case 'is_set':
    case 'is_not_set':
      return true;
  }
}

/** A rule with its keys in one order, so two spellings of the same rule compare equal. */
function canonicalRule(rule: SegmentRule): string {
  return JSON.stringify(Object.fromEntries(Object.entries(rule).sort(([a], [b]) => codePointOrder(a, b))));
}

/** Whether the profile was last seen within the window, counted from midnight UTC of FAKE_NOW. */
function seenWithin(p: Profile, window: LastSeenWindow): boolean {
  const windowDays = { any: undefined, today: 0, last7Days: 6, last30Days: 29 }[window];
  if (windowDays === undefined) return true;
  const since = Math.floor(FAKE_NOW / DAY_MS) * DAY_MS - windowDays * DAY_MS;
  return Date.parse(p.lastSeenAt) >= since;
}

const NUMERIC_COLUMNS: ReadonlySet<SortOrder['column']> = new Set(['created', 'lastSeen', 'sessions']);

/** A sort column as the core's error messages name it (its Rust variant). */
function rustName(column: SortOrder['column']): string {
  return column.charAt(0).toUpperCase() + column.slice(1);
}

const UTF8 = new TextEncoder();

function toSortValue(value: string | number): SortValue {
  return typeof value === 'number' ? value : UTF8.encode(value);
}

function asciiLower(byte: number): number {
  return byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
}

/** SQLite's NOCASE collation: ASCII letters folded, other bytes compared as they are, a NUL
 * ending the comparison, then the shorter string first (crates/core/src/index/order.rs). */
function nocase(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a[i] ?? 0;
    const lx = asciiLower(x);
    const ly = asciiLower(b[i] ?? 0);
    if (x === 0 || lx !== ly) return Math.sign(lx - ly) || Math.sign(a.length - b.length);
  }
  return Math.sign(a.length - b.length);
}

/** SQLite's BINARY collation: bytes compared, then the shorter first. */
function binary(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return Math.sign(a.length - b.length);
}

/** Empty values after every other value (ascending), then `by`. */
function blankLast(a: Uint8Array, b: Uint8Array, by: (a: Uint8Array, b: Uint8Array) => number): number {
  return Number(a.length === 0) - Number(b.length === 0) || by(a, b);
}

function compareValues(column: SortOrder['column'], a: SortValue, b: SortValue): number {
  if (typeof a === 'number' || typeof b === 'number') {
    const x = typeof a === 'number' ? a : 0;
    const y = typeof b === 'number' ? b : 0;
    return Math.sign(x - y);
  }
  switch (column) {
    case 'username':
      return nocase(a, b);
    case 'email':
    case 'location':
      return blankLast(a, b, nocase);
    case 'phone':
      return blankLast(a, b, binary);
    default:
      // The status: active before archived.
      return binary(a, b);
  }
}

/** The core's order (the schema's collations, empty values last ascending, ties broken by id),
 * reversed as a whole when descending. With a status chosen, the Status sort is by id alone. */
function compareSortKeys(a: SortKey, b: SortKey, sort: SortOrder, filter: ProfileFilter): number {
  const byValue = sort.column === 'status' && filter.status != null ? 0 : compareValues(sort.column, a.value, b.value);
  const ascending = byValue || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return sort.direction === 'asc' ? ascending : -ascending;
}

const PHONE_DIGITS_MIN = 3;

/** Case folding for substring search, one character at a time (crates/core/src/store/search.rs). */
function fold(text: string): string {
  let folded = '';
  for (const c of text) folded += c.toLowerCase();
  return folded;
}

/** The digits of a term made only of digits and the punctuation people put in phone numbers. */
function phoneDigits(term: string): string | undefined {
  if (!/^[\d +\-().\/]*$/.test(term)) return undefined;
  const digits = term.replace(/\D/g, '');
  return digits === '' ? undefined : digits;
}

/** The core's search: the term (trimmed) as a case-insensitive substring of the full name (first
 * and last name with a space between), the email or the phone; a phone-like term of at least
 * three digits also matches the phone by its digits. */
function matchesSearch(p: Profile, raw: string): boolean {
  const term = raw.trim();
  if (term === '') return true;
  const needle = fold(term);
  const fields = [`${p.firstName} ${p.lastName}`, p.email, p.phone].map((f) => fold(f).replace(/\0/g, ''));
  if (fields.some((f) => f.includes(needle))) return true;
  const digits = phoneDigits(term);
  return digits !== undefined && digits.length >= PHONE_DIGITS_MIN && digits !== term && p.phone.includes(digits);
}

/** The core's rules for a note's text. */
function checkNote(body: string): void {
  if (body.trim() === '') throw apiError('invalid_request', 'A note needs some text');
  if (Array.from(body).length > 10_000) throw apiError('invalid_request', 'The note is longer than 10000 characters');
}
