// Labels and number formats. The interface is in English, so numbers are grouped the English way
// too ("1,000,000 users") rather than by the system's locale.

import type { Field } from './bindings/Field';
import type { JobAction } from './bindings/JobAction';
import type { LastSeenWindow } from './bindings/LastSeenWindow';
import type { Platform } from './bindings/Platform';
import type { Profile } from './bindings/Profile';
import type { ProfileId } from './bindings/ProfileId';
import type { ProfileStatus } from './bindings/ProfileStatus';
import type { ProfileType } from './bindings/ProfileType';
import type { PropertyFormat } from './bindings/PropertyFormat';
import type { RuleOperator } from './bindings/RuleOperator';
import type { SortColumn } from './bindings/SortColumn';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatNumber(n: number): string {
  return integer.format(n);
}

/** "1 user", "1,000,000 users". */
export function formatUserCount(n: number): string {
  return `${formatNumber(n)} ${n === 1 ? 'user' : 'users'}`;
}

/** How many days a deleted customer stays in the Trash before it is deleted forever (the core's
 * TRASH_DAYS). */
export const TRASH_DAYS = 30;

/** "1 customer", "1,204 customers": what a bulk action or a job applies to. */
export function formatCustomerCount(n: number): string {
  return `${formatNumber(n)} ${n === 1 ? 'customer' : 'customers'}`;
}

const JOB_VERBS: Readonly<Record<JobAction, { readonly now: string; readonly done: string }>> = {
  activate: { now: 'Activate', done: 'Activated' },
  archive: { now: 'Archive', done: 'Archived' },
};

/** A job as the jobs panel names it: "Archive 3 customers". */
export function jobTitle(action: JobAction, total: number): string {
  return `${JOB_VERBS[action].now} ${formatCustomerCount(total)}`;
}

/** What a completed job did, in the words of its system notification: "Archived 1,204 profiles". */
export function jobSummary(action: JobAction, applied: number): string {
  return `${JOB_VERBS[action].done} ${formatNumber(applied)} ${applied === 1 ? 'profile' : 'profiles'}`;
}

/** The mark of a row a pending job will change, and why it is there. */
export const PENDING_JOB_LABELS: Readonly<Record<JobAction, { readonly text: string; readonly title: string }>> = {
  activate: {
    text: 'Activating…',
    title: 'Activation scheduled: it takes effect when its job fires, after the delay set in Settings (see Jobs).',
  },
  archive: {
    text: 'Archiving…',
    title: 'Archive scheduled: it takes effect when its job fires, after the delay set in Settings (see Jobs).',
  },
};

const two = (n: number): string => String(n).padStart(2, '0');

/**
 * The time left until a job fires, from `remainingMs`: "in 4:59", "in 1:02:03", "in 2 d 03:04:05";
 * "now" once it is due. Whole seconds are rounded up, so a job five minutes away says "in 5:00".
 */
export function formatCountdown(remainingMs: number): string {
  if (!(remainingMs > 0)) return 'now';
  const total = Math.ceil(remainingMs / 1000);
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (days > 0) return `in ${days} d ${two(hours)}:${two(minutes)}:${two(seconds)}`;
  if (hours > 0) return `in ${hours}:${two(minutes)}:${two(seconds)}`;
  return `in ${minutes}:${two(seconds)}`;
}

export const STATUS_LABELS: Readonly<Record<ProfileStatus, string>> = {
  active: 'Active',
  archived: 'Archived',
};

export const TYPE_LABELS: Readonly<Record<ProfileType, string>> = {
  registered: 'Registered',
  anonymous: 'Anonymous',
};

export const PLATFORM_LABELS: Readonly<Record<Platform, string>> = {
  desktop: 'Desktop',
  mobile_web: 'Mobile Web',
  whats_app: 'WhatsApp',
  messenger: 'Messenger',
  telegram: 'Telegram',
};

export const LAST_SEEN_LABELS: Readonly<Record<LastSeenWindow, string>> = {
  any: 'Any time',
  today: 'Today',
  last7Days: 'Last 7 days',
  last30Days: 'Last 30 days',
};

export const COLUMN_LABELS: Readonly<Record<SortColumn, string>> = {
  username: 'Username',
  email: 'Email',
  phone: 'Phone',
  location: 'Location',
  created: 'Created',
  lastSeen: 'Last seen',
  sessions: 'Sessions',
  status: 'Status',
};

/** Labels as a sentence uses them ("first name"); the Details window shows them in capitals. */
export const FIELD_LABELS: Readonly<Record<Field, string>> = {
  email: 'email',
  firstName: 'first name',
  lastName: 'last name',
  phone: 'phone',
  location: 'location',
};

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "Phone is not a valid number for its country": the label, then the core's reason. */
export function fieldErrorText(field: Field, reason: string): string {
  return `${capitalise(FIELD_LABELS[field])} ${reason}`;
}

function firstLetter(text: string): string {
  // Whole code points, so a name starting with an emoji or an astral letter is not split.
  const [first] = Array.from(text.trim());
  return first === undefined ? '' : first.toUpperCase();
}

/** Up to two letters for the avatar: from the name, else from the username (an email or
 * "Anonymous …"). */
export function initials(profile: Pick<Profile, 'firstName' | 'lastName'>, username: string): string {
  const fromName = firstLetter(profile.firstName) + firstLetter(profile.lastName);
  if (fromName !== '') return fromName;
  return firstLetter(username) || '?';
}

/** Whether a username is the core's stand-in for a customer with no name and no email:
 * "Anonymous " and the last eight hex digits of the id. */
export function isAnonymousUsername(id: ProfileId, username: string): boolean {
  return username === `Anonymous ${id.replace(/-/g, '').toLowerCase().slice(-8)}`;
}

/** Up to two letters for a table row's avatar, which has only the username: the first letters
 * of its first two words ("Ada Lovelace" gives "AL"), or of the email. */
export function usernameInitials(username: string): string {
  const words = username.trim().split(/\s+/);
  const letters = (words[0]?.includes('@') === true ? words.slice(0, 1) : words.slice(0, 2)).map(firstLetter).join('');
  return letters || '?';
}

export const FORMAT_LABELS: Readonly<Record<PropertyFormat, string>> = {
  text: 'Text',
  number: 'Number',
  date: 'Date',
  boolean: 'Boolean',
  choice: 'Choice',
};

export const OPERATOR_LABELS: Readonly<Record<RuleOperator, string>> = {
  equals: 'equals',
  not_equals: 'not equals',
  contains: 'contains',
  greater_than: 'greater than',
  less_than: 'less than',
  is_set: 'is set',
  is_not_set: 'is not set',
};

/** A property's value as the Details window shows it: booleans as Yes / No, the rest as written. */
export function propertyValueText(format: PropertyFormat, value: string): string {
  if (format === 'boolean') return value === 'true' ? 'Yes' : value === 'false' ? 'No' : value;
  return value;
}
