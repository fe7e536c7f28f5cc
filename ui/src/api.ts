import { invoke } from '@tauri-apps/api/core';

import type { Account } from './bindings/Account';
import type { ApiError } from './bindings/ApiError';
import type { Conversation } from './bindings/Conversation';
import type { DataRequestKind } from './bindings/DataRequestKind';
import type { DataRequestView } from './bindings/DataRequestView';
import type { ErrorCode } from './bindings/ErrorCode';
import type { Goal } from './bindings/Goal';
import type { GoalCompletionView } from './bindings/GoalCompletionView';
import type { JobAction } from './bindings/JobAction';
import type { JobView } from './bindings/JobView';
import type { ListRequest } from './bindings/ListRequest';
import type { NoteView } from './bindings/NoteView';
import type { PictureView } from './bindings/PictureView';
import type { ProfileDetails } from './bindings/ProfileDetails';
import type { ProfileFilter } from './bindings/ProfileFilter';
import type { ProfilePage } from './bindings/ProfilePage';
import type { ProfilePatch } from './bindings/ProfilePatch';
import type { ProfilePropertyView } from './bindings/ProfilePropertyView';
import type { PropertyDraft } from './bindings/PropertyDraft';
import type { PropertySort } from './bindings/PropertySort';
import type { PropertyView } from './bindings/PropertyView';
import type { SegmentDraft } from './bindings/SegmentDraft';
import type { SegmentRef } from './bindings/SegmentRef';
import type { SegmentView } from './bindings/SegmentView';
import type { Selection } from './bindings/Selection';
import type { SessionOrder } from './bindings/SessionOrder';
import type { SessionView } from './bindings/SessionView';
import type { SignIn } from './bindings/SignIn';
import type { SortDirection } from './bindings/SortDirection';
import type { SyncView } from './bindings/SyncView';

/** The Rust core as the UI sees it: one method per Tauri command. */
export interface Backend {
  listProfiles(request: ListRequest): Promise<ProfilePage>;
  countProfiles(filter: ProfileFilter): Promise<number>;
  getProfile(id: string): Promise<ProfileDetails>;
  /** Changes only the fields present in `patch`; an empty string clears a field. */
  patchProfile(id: string, patch: ProfilePatch): Promise<ProfileDetails>;
  /** The Details window's Active option: activates (`true`) or archives (`false`) at once. */
  setProfileActive(id: string, active: boolean): Promise<ProfileDetails>;
  /**
   * Gives the customer the picture in `file` (the picked file's bytes, sent as the request body):
   * the core crops it to a centred square and keeps it as a 256×256 PNG. A file that is not a
   * readable PNG, JPEG, GIF, WebP or BMP image, or is over 20 MB, is refused with
   * `invalid_picture` and nothing changes.
   */
  setProfilePicture(profileId: string, file: Uint8Array): Promise<ProfileDetails>;
  removeProfilePicture(profileId: string): Promise<ProfileDetails>;
  /** The pictures of those of `ids` that have one (the table's rows in view). */
  profilePictures(ids: string[]): Promise<PictureView[]>;
  /** The customer's notes, newest first. */
  notes(profileId: string): Promise<NoteView[]>;
  addNote(profileId: string, body: string): Promise<NoteView>;
  editNote(noteId: string, body: string): Promise<NoteView>;
  deleteNote(noteId: string): Promise<void>;
  /** The customer's bot sessions whose bot's name contains `search`, by end time. */
  botSessions(profileId: string, search: string, order: SessionOrder): Promise<SessionView[]>;
  /** A session's whole transcript. */
  conversation(sessionId: string): Promise<Conversation>;
  goalCompletions(profileId: string): Promise<GoalCompletionView[]>;
  /** The customer's export and delete requests, the latest first. */
  dataRequests(profileId: string): Promise<DataRequestView[]>;
  /** Queues an export or delete request (after the manager confirmed it). */
  requestData(profileId: string, kind: DataRequestKind): Promise<DataRequestView>;
  getTimeZone(): Promise<string>;
  /** Returns the zone now in use (the IANA name, as the core spells it). */
  setTimeZone(timeZone: string): Promise<string>;
  listTimeZones(): Promise<string[]>;
  /** Account, online state, pending edits, last sync, first-download progress, refusals. */
  syncView(): Promise<SyncView>;
  /** "Sync now" as the signed-in manager. */
  syncNow(): Promise<void>;
  /** Checks the token with the server, keeps it in the system keychain, starts syncing. */
  signIn(form: SignIn): Promise<Account>;
  signOut(): Promise<void>;
  dismissRejection(mutationId: number): Promise<void>;
  /** The network is back: the background sync runs at once. */
  backOnline(): Promise<void>;
  /** Property definitions whose name contains `search`, sorted by name or format. */
  listProperties(search: string, sort: PropertySort, direction: SortDirection): Promise<PropertyView[]>;
  createProperty(draft: PropertyDraft): Promise<PropertyView>;
  /** Renames, describes, or changes the choices of a property; its format cannot change. */
  updateProperty(id: string, draft: PropertyDraft): Promise<PropertyView>;
  /** Deletes the definition and every customer's value of it. */
  deleteProperty(id: string): Promise<void>;
  /** The customer's property values, sorted by the property's name. */
  profileProperties(profileId: string): Promise<ProfilePropertyView[]>;
  /** Sets (or, with `null`, removes) a customer's value; returns the customer's properties after it. */
  setProfileProperty(profileId: string, propertyId: string, value: string | null): Promise<ProfilePropertyView[]>;
  /** Segments whose name contains `search`, sorted by name, with their member counts. */
  listSegments(search: string): Promise<SegmentView[]>;
  /** A segment of hand-picked `members` (profile ids) plus every profile meeting its rules. */
  createSegment(draft: SegmentDraft, members: string[]): Promise<SegmentView>;
  updateSegment(id: string, draft: SegmentDraft): Promise<SegmentView>;
  deleteSegment(id: string): Promise<void>;
  /** The segments the customer belongs to. */
  profileSegments(profileId: string): Promise<SegmentRef[]>;
  /** The bots' goals, for the segment rules. */
  listGoals(): Promise<Goal[]>;
  /** A segment whose hand-picked members are the selected customers (a filter is resolved now). */
  createSegmentFrom(draft: SegmentDraft, selection: Selection): Promise<SegmentView>;
  /** Deletes the selected customers at once; returns how many were deleted. */
  deleteProfiles(selection: Selection): Promise<number>;
  /**
   * Active or Archive over the selected customers, taking effect after the delay from Settings;
   * it can be cancelled until it fires.
   */
  scheduleJob(action: JobAction, selection: Selection): Promise<JobView>;
  /** Cancels a pending job; refused with `invalid_request` once it has fired. */
  cancelJob(id: string): Promise<void>;
  /** Pending and running jobs, then the last ones done or cancelled. */
  listJobs(): Promise<JobView[]>;
  /** The delay of Active and Archive, in seconds. */
  getJobDelay(): Promise<number>;
  /** Sets the delay (0 to 604,800 seconds, a week); returns the delay now in use. */
  setJobDelay(seconds: number): Promise<number>;
}

/** The real backend: the commands of the Tauri shell. Argument keys are the commands' own. */
export const tauriBackend: Backend = {
  listProfiles: (request) => invoke<ProfilePage>('list_profiles', { request }),
  countProfiles: (filter) => invoke<number>('count_profiles', { filter }),
  getProfile: (id) => invoke<ProfileDetails>('get_profile', { id }),
  patchProfile: (id, patch) => invoke<ProfileDetails>('patch_profile', { id, patch }),
  setProfileActive: (id, active) => invoke<ProfileDetails>('set_profile_active', { id, active }),
  // The file travels as the raw request body, not as JSON; the profile rides in a header.
  setProfilePicture: (profileId, file) =>
    invoke<ProfileDetails>('set_profile_picture', file, { headers: { 'profile-id': profileId } }),
  removeProfilePicture: (profileId) => invoke<ProfileDetails>('remove_profile_picture', { profileId }),
  profilePictures: (ids) => invoke<PictureView[]>('profile_pictures', { ids }),
  notes: (profileId) => invoke<NoteView[]>('list_notes', { profileId }),
  addNote: (profileId, body) => invoke<NoteView>('add_note', { profileId, body }),
  editNote: (noteId, body) => invoke<NoteView>('edit_note', { noteId, body }),
  deleteNote: (noteId) => invoke<void>('delete_note', { noteId }),
  botSessions: (profileId, search, order) => invoke<SessionView[]>('bot_sessions', { profileId, search, order }),
  conversation: (sessionId) => invoke<Conversation>('conversation', { sessionId }),
  goalCompletions: (profileId) => invoke<GoalCompletionView[]>('goal_completions', { profileId }),
  dataRequests: (profileId) => invoke<DataRequestView[]>('data_requests', { profileId }),
  requestData: (profileId, kind) => invoke<DataRequestView>('request_data', { profileId, kind }),
  getTimeZone: () => invoke<string>('get_time_zone', {}),
  setTimeZone: (timeZone) => invoke<string>('set_time_zone', { timeZone }),
  listTimeZones: () => invoke<string[]>('list_time_zones', {}),
  syncView: () => invoke<SyncView>('sync_view', {}),
  syncNow: async () => {
    await invoke('sync_now', {});
  },
  signIn: (form) => invoke<Account>('sign_in', { form }),
  signOut: () => invoke<void>('sign_out', {}),
  dismissRejection: (mutationId) => invoke<void>('dismiss_rejection', { mutationId }),
  backOnline: () => invoke<void>('back_online', {}),
  listProperties: (search, sort, direction) => invoke<PropertyView[]>('list_properties', { search, sort, direction }),
  createProperty: (draft) => invoke<PropertyView>('create_property', { draft }),
  updateProperty: (id, draft) => invoke<PropertyView>('update_property', { id, draft }),
  deleteProperty: (id) => invoke<void>('delete_property', { id }),
  profileProperties: (profileId) => invoke<ProfilePropertyView[]>('profile_properties', { profileId }),
  setProfileProperty: (profileId, propertyId, value) =>
    invoke<ProfilePropertyView[]>('set_profile_property', { profileId, propertyId, value }),
  listSegments: (search) => invoke<SegmentView[]>('list_segments', { search }),
  createSegment: (draft, members) => invoke<SegmentView>('create_segment', { draft, members }),
  updateSegment: (id, draft) => invoke<SegmentView>('update_segment', { id, draft }),
  deleteSegment: (id) => invoke<void>('delete_segment', { id }),
  profileSegments: (profileId) => invoke<SegmentRef[]>('profile_segments', { profileId }),
  listGoals: () => invoke<Goal[]>('list_goals', {}),
  createSegmentFrom: (draft, selection) => invoke<SegmentView>('create_segment_from', { draft, selection }),
  deleteProfiles: (selection) => invoke<number>('delete_profiles', { selection }),
  scheduleJob: (action, selection) => invoke<JobView>('schedule_job', { action, selection }),
  cancelJob: (id) => invoke<void>('cancel_job', { id }),
  listJobs: () => invoke<JobView[]>('list_jobs', {}),
  getJobDelay: () => invoke<number>('get_job_delay', {}),
  setJobDelay: (seconds) => invoke<number>('set_job_delay', { seconds }),
};

// Listing every code in a record keyed by ErrorCode makes the compiler refuse a code added in
// Rust and forgotten here.
const KNOWN_CODES: Record<ErrorCode, true> = {
  validation: true,
  not_found: true,
  invalid_request: true,
  invalid_time_zone: true,
  storage: true,
  unauthorized: true,
  forbidden: true,
  mutation_gap: true,
  unknown_mutation: true,
  rate_limited: true,
  payload_too_large: true,
  unavailable: true,
  internal: true,
  server_rolled_back: true,
  offline: true,
  keychain: true,
  overwritten: true,
  invalid_picture: true,
};
const ERROR_CODES: ReadonlySet<string> = new Set(Object.keys(KNOWN_CODES));

/** Whether a rejection is the core's `{code, message, fields}` error. */
export function isApiError(e: unknown): e is ApiError {
  if (typeof e !== 'object' || e === null) return false;
  const candidate = e as Record<string, unknown>;
  return (
    typeof candidate['code'] === 'string' &&
    ERROR_CODES.has(candidate['code']) &&
    typeof candidate['message'] === 'string' &&
    Array.isArray(candidate['fields'])
  );
}

/**
 * Text for the error banner. Besides the core's errors, the IPC layer itself can reject with a
 * bare string (an unknown command, a denied permission), and code can throw an Error.
 */
export function errorMessage(e: unknown): string {
  if (isApiError(e)) return e.message;
  if (e instanceof Error) return e.message;
  if (typeof e === 'string' && e !== '') return e;
  return 'Something went wrong.';
}

/**
 * The core's reason for refusing a form, as a sentence: "Name must not be empty" for the core's
 * "invalid request: name must not be empty".
 */
export function refusalText(e: unknown): string {
  const text = errorMessage(e).replace(/^invalid request: /, '');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
