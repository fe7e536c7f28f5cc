// Generated from src-tauri/command_list.rs by `cargo test` (src-tauri/typescript.rs). Do not edit.

import { invoke } from '@tauri-apps/api/core';

import type { Account } from './Account';
import type { Conversation } from './Conversation';
import type { DataRequestKind } from './DataRequestKind';
import type { DataRequestView } from './DataRequestView';
import type { Goal } from './Goal';
import type { GoalCompletionView } from './GoalCompletionView';
import type { GoalSummary } from './GoalSummary';
import type { HistoryView } from './HistoryView';
import type { JobAction } from './JobAction';
import type { JobId } from './JobId';
import type { JobView } from './JobView';
import type { ListRequest } from './ListRequest';
import type { NoteId } from './NoteId';
import type { NoteView } from './NoteView';
import type { PictureView } from './PictureView';
import type { ProfileDetails } from './ProfileDetails';
import type { ProfileFilter } from './ProfileFilter';
import type { ProfileId } from './ProfileId';
import type { ProfilePage } from './ProfilePage';
import type { ProfilePatch } from './ProfilePatch';
import type { ProfilePropertyView } from './ProfilePropertyView';
import type { PropertyDraft } from './PropertyDraft';
import type { PropertyId } from './PropertyId';
import type { PropertySort } from './PropertySort';
import type { PropertyView } from './PropertyView';
import type { PutBack } from './PutBack';
import type { SegmentDraft } from './SegmentDraft';
import type { SegmentId } from './SegmentId';
import type { SegmentRef } from './SegmentRef';
import type { SegmentView } from './SegmentView';
import type { Selection } from './Selection';
import type { SessionId } from './SessionId';
import type { SessionOrder } from './SessionOrder';
import type { SessionView } from './SessionView';
import type { SignIn } from './SignIn';
import type { SortDirection } from './SortDirection';
import type { SyncView } from './SyncView';
import type { TrashPage } from './TrashPage';
import type { TrashQuery } from './TrashQuery';
import type { TrashSelection } from './TrashSelection';
import type { UndoReport } from './UndoReport';
import type { UndoView } from './UndoView';
import type { UpdateView } from './UpdateView';

/** The Rust core as the UI sees it: one method per Tauri command. */
export interface Backend {
  /** One page of the All users table. */
  listProfiles(request: ListRequest): Promise<ProfilePage>;
  /** How many customers match the filter. */
  countProfiles(filter: ProfileFilter): Promise<number>;
  /** Everything the Details window shows of one customer. */
  profileDetails(id: ProfileId): Promise<ProfileDetails>;
  /** Changes only the fields present in `patch`; an empty string clears a field. */
  patchProfile(id: ProfileId, patch: ProfilePatch): Promise<ProfileDetails>;
  /** The Details window's Active option: activates (`true`) or archives (`false`) at once. */
  setProfileActive(id: ProfileId, active: boolean): Promise<ProfileDetails>;
  /** What Undo would take back next, if anything. */
  undoAvailable(): Promise<UndoView | null>;
  /**
   * Takes back the last action by new edits restoring what it replaced; a value changed
   * again since is kept, and the report says so.
   */
  undo(): Promise<UndoReport>;
  /** The customer's History, the latest change first. */
  profileHistory(id: ProfileId): Promise<HistoryView>;
  /** Put back: a value from the History set again, by a new edit. */
  putBack(id: ProfileId, putBack: PutBack): Promise<ProfileDetails>;
  /** Removes the customer's picture. */
  removeProfilePicture(profileId: ProfileId): Promise<ProfileDetails>;
  /** The pictures of those of `ids` that have one (the table's rows in view). */
  profilePictures(ids: Array<ProfileId>): Promise<Array<PictureView>>;
  /** The customer's notes, newest first. */
  notes(profileId: ProfileId): Promise<Array<NoteView>>;
  /** Adds a note to the customer. */
  addNote(profileId: ProfileId, body: string): Promise<NoteView>;
  /** Changes a note's text. */
  editNote(noteId: NoteId, body: string): Promise<NoteView>;
  /** Deletes a note. */
  deleteNote(noteId: NoteId): Promise<void>;
  /** The customer's bot sessions whose bot's name contains `search`, by end time. */
  botSessions(profileId: ProfileId, search: string, order: SessionOrder): Promise<Array<SessionView>>;
  /** A session's whole transcript. */
  conversation(sessionId: SessionId): Promise<Conversation>;
  /** The goals the customer completed, the latest first. */
  goalCompletions(profileId: ProfileId): Promise<Array<GoalCompletionView>>;
  /** The customer's export and delete requests, the latest first. */
  dataRequests(profileId: ProfileId): Promise<Array<DataRequestView>>;
  /** Queues an export or delete request (after the manager confirmed it). */
  requestData(profileId: ProfileId, kind: DataRequestKind): Promise<DataRequestView>;
  /** Property definitions whose name contains `search`, sorted by name or format. */
  properties(search: string, sort: PropertySort, direction: SortDirection): Promise<Array<PropertyView>>;
  /** Creates a property definition. */
  createProperty(draft: PropertyDraft): Promise<PropertyView>;
  /** Renames, describes, or changes the choices of a property; its format cannot change. */
  updateProperty(id: PropertyId, draft: PropertyDraft): Promise<PropertyView>;
  /** Deletes the definition and every customer's value of it. */
  deleteProperty(id: PropertyId): Promise<void>;
  /** The customer's property values, sorted by the property's name. */
  profileProperties(profileId: ProfileId): Promise<Array<ProfilePropertyView>>;
  /**
   * Sets (or, with `null`, removes) a customer's value; returns the customer's properties
   * after it.
   */
  setProfileProperty(profileId: ProfileId, propertyId: PropertyId, value: string | null): Promise<Array<ProfilePropertyView>>;
  /** Segments whose name contains `search`, sorted by name, with their member counts. */
  segments(search: string): Promise<Array<SegmentView>>;
  /** A segment of hand-picked `members` (profile ids) plus every profile meeting its rules. */
  createSegment(draft: SegmentDraft, members: Array<ProfileId>): Promise<SegmentView>;
  /** Changes a segment's name, description or rules. */
  updateSegment(id: SegmentId, draft: SegmentDraft): Promise<SegmentView>;
  /** Deletes a segment (its customers stay). */
  deleteSegment(id: SegmentId): Promise<void>;
  /**
   * "Add to segment": the selected customers become hand-picked members of the segment
   * (a filter is resolved now).
   */
  addToSegment(id: SegmentId, selection: Selection): Promise<SegmentView>;
  /**
   * "Remove from segment": the selected customers leave the segment's hand-picked members;
   * a member by the rules is refused and nothing changes.
   */
  removeFromSegment(id: SegmentId, selection: Selection): Promise<SegmentView>;
  /** The segments the customer belongs to. */
  profileSegments(profileId: ProfileId): Promise<Array<SegmentRef>>;
  /** The bots' goals, for the segment rules. */
  goals(): Promise<Array<Goal>>;
  /** The Goals list: each goal with its bot and how many customers completed it. */
  goalSummaries(): Promise<Array<GoalSummary>>;
  /**
   * Active or Archive over the selected customers, taking effect after the delay from
   * Settings; it can be cancelled until it fires.
   */
  scheduleJob(action: JobAction, selection: Selection): Promise<JobView>;
  /** Cancels a pending job; refused with `invalid_request` once it has fired. */
  cancelJob(id: JobId): Promise<void>;
  /** Pending and running jobs, then the last ones done or cancelled. */
  jobs(): Promise<Array<JobView>>;
  /** The delay of Active and Archive, in seconds. */
  jobDelay(): Promise<number>;
  /** Sets the delay (0 to 604,800 seconds, a week); returns the delay now in use. */
  setJobDelay(seconds: number): Promise<number>;
  /** Delete: moves the selected customers to the Trash at once; returns how many moved. */
  deleteProfiles(selection: Selection): Promise<number>;
  /** A page of the Trash, the latest deleted first. */
  trash(query: TrashQuery): Promise<TrashPage>;
  /** Restore: the customers go back to the table as they now are; returns how many. */
  restoreProfiles(selection: TrashSelection): Promise<number>;
  /** Delete forever: the customers of the Trash are gone for good; returns how many. */
  deleteForever(selection: TrashSelection): Promise<number>;
  /**
   * A segment whose hand-picked members are the selected customers (a filter is resolved
   * now).
   */
  createSegmentFrom(draft: SegmentDraft, selection: Selection): Promise<SegmentView>;
  /** The manager's time zone (its IANA name). */
  timeZone(): Promise<string>;
  /** Sets the manager's time zone; returns the zone now in use, as the core spells it. */
  setTimeZone(timeZone: string): Promise<string>;
  /** Every time zone the manager can pick. */
  timeZoneNames(): Promise<Array<string>>;
  /** Account, online state, pending edits, last sync, first-download progress, refusals. */
  syncView(): Promise<SyncView>;
  /** "Sync now" as the signed-in manager. */
  syncNow(): Promise<void>;
  /** Checks the token with the server, keeps it in the system keychain, starts syncing. */
  signIn(form: SignIn): Promise<Account>;
  /** Forgets the token; pending edits stay for the next sign-in. */
  signOut(): Promise<void>;
  /**
   * "Download again" after the server was restored from an older backup: starts again
   * from the server as it now is, and syncs; how many confirmed edits the server lost.
   */
  recoverSync(): Promise<number>;
  /** Hides a refused edit from the list. */
  dismissRejection(mutationId: number): Promise<void>;
  /** Settings' "About Userdesk": the version and what the last update check found. */
  updateView(): Promise<UpdateView>;
  /**
   * "Check for updates": a newer version is downloaded and its signature checked; an older
   * or unverified one is refused and nothing changes.
   */
  checkForUpdates(): Promise<UpdateView>;
  /** "Restart to update": installs the downloaded update and restarts into it. */
  restartToUpdate(): Promise<void>;
  /** "Open logs folder" in the system's file manager. */
  openLogsFolder(): Promise<void>;
  /**
   * "Copy diagnostics" (version, system, store, sync; no token, no customer's data): puts
   * them on the clipboard and answers the text copied.
   */
  copyDiagnostics(): Promise<string>;
  /**
   * The window shows its first rows (the log keeps when: how long starts take in the
   * field).
   */
  firstRowsShown(): Promise<void>;
  /** The network is back: the background sync runs at once. */
  backOnline(): Promise<void>;
  /**
   * Gives the customer the picture in `file` (the picked file's bytes, sent as the request
   * body, the customer in its `profile-id` header): the core crops it to a centred square and
   * keeps it as a 256×256 PNG. A file that is not a readable PNG, JPEG, GIF, WebP or BMP image,
   * or is over 20 MB, is refused with `invalid_picture` and nothing changes.
   */
  setProfilePicture(profileId: ProfileId, file: Uint8Array): Promise<ProfileDetails>;
}

/** The real backend: the commands of the Tauri shell. */
export const tauriBackend: Backend = {
  listProfiles: (request) => invoke<ProfilePage>('list_profiles', { request }),
  countProfiles: (filter) => invoke<number>('count_profiles', { filter }),
  profileDetails: (id) => invoke<ProfileDetails>('profile_details', { id }),
  patchProfile: (id, patch) => invoke<ProfileDetails>('patch_profile', { id, patch }),
  setProfileActive: (id, active) => invoke<ProfileDetails>('set_profile_active', { id, active }),
  undoAvailable: () => invoke<UndoView | null>('undo_available', {}),
  undo: () => invoke<UndoReport>('undo', {}),
  profileHistory: (id) => invoke<HistoryView>('profile_history', { id }),
  putBack: (id, putBack) => invoke<ProfileDetails>('put_back', { id, putBack }),
  removeProfilePicture: (profileId) => invoke<ProfileDetails>('remove_profile_picture', { profileId }),
  profilePictures: (ids) => invoke<Array<PictureView>>('profile_pictures', { ids }),
  notes: (profileId) => invoke<Array<NoteView>>('notes', { profileId }),
  addNote: (profileId, body) => invoke<NoteView>('add_note', { profileId, body }),
  editNote: (noteId, body) => invoke<NoteView>('edit_note', { noteId, body }),
  deleteNote: (noteId) => invoke<void>('delete_note', { noteId }),
  botSessions: (profileId, search, order) => invoke<Array<SessionView>>('bot_sessions', { profileId, search, order }),
  conversation: (sessionId) => invoke<Conversation>('conversation', { sessionId }),
  goalCompletions: (profileId) => invoke<Array<GoalCompletionView>>('goal_completions', { profileId }),
  dataRequests: (profileId) => invoke<Array<DataRequestView>>('data_requests', { profileId }),
  requestData: (profileId, kind) => invoke<DataRequestView>('request_data', { profileId, kind }),
  properties: (search, sort, direction) => invoke<Array<PropertyView>>('properties', { search, sort, direction }),
  createProperty: (draft) => invoke<PropertyView>('create_property', { draft }),
  updateProperty: (id, draft) => invoke<PropertyView>('update_property', { id, draft }),
  deleteProperty: (id) => invoke<void>('delete_property', { id }),
  profileProperties: (profileId) => invoke<Array<ProfilePropertyView>>('profile_properties', { profileId }),
  setProfileProperty: (profileId, propertyId, value) => invoke<Array<ProfilePropertyView>>('set_profile_property', { profileId, propertyId, value }),
  segments: (search) => invoke<Array<SegmentView>>('segments', { search }),
  createSegment: (draft, members) => invoke<SegmentView>('create_segment', { draft, members }),
  updateSegment: (id, draft) => invoke<SegmentView>('update_segment', { id, draft }),
  deleteSegment: (id) => invoke<void>('delete_segment', { id }),
  addToSegment: (id, selection) => invoke<SegmentView>('add_to_segment', { id, selection }),
  removeFromSegment: (id, selection) => invoke<SegmentView>('remove_from_segment', { id, selection }),
  profileSegments: (profileId) => invoke<Array<SegmentRef>>('profile_segments', { profileId }),
  goals: () => invoke<Array<Goal>>('goals', {}),
  goalSummaries: () => invoke<Array<GoalSummary>>('goal_summaries', {}),
  scheduleJob: (action, selection) => invoke<JobView>('schedule_job', { action, selection }),
  cancelJob: (id) => invoke<void>('cancel_job', { id }),
  jobs: () => invoke<Array<JobView>>('jobs', {}),
  jobDelay: () => invoke<number>('job_delay', {}),
  setJobDelay: (seconds) => invoke<number>('set_job_delay', { seconds }),
  deleteProfiles: (selection) => invoke<number>('delete_profiles', { selection }),
  trash: (query) => invoke<TrashPage>('trash', { query }),
  restoreProfiles: (selection) => invoke<number>('restore_profiles', { selection }),
  deleteForever: (selection) => invoke<number>('delete_forever', { selection }),
  createSegmentFrom: (draft, selection) => invoke<SegmentView>('create_segment_from', { draft, selection }),
  timeZone: () => invoke<string>('time_zone', {}),
  setTimeZone: (timeZone) => invoke<string>('set_time_zone', { timeZone }),
  timeZoneNames: () => invoke<Array<string>>('time_zone_names', {}),
  syncView: () => invoke<SyncView>('sync_view', {}),
  syncNow: () => invoke<void>('sync_now', {}),
  signIn: (form) => invoke<Account>('sign_in', { form }),
  signOut: () => invoke<void>('sign_out', {}),
  recoverSync: () => invoke<number>('recover_sync', {}),
  dismissRejection: (mutationId) => invoke<void>('dismiss_rejection', { mutationId }),
  updateView: () => invoke<UpdateView>('update_view', {}),
  checkForUpdates: () => invoke<UpdateView>('check_for_updates', {}),
  restartToUpdate: () => invoke<void>('restart_to_update', {}),
  openLogsFolder: () => invoke<void>('open_logs_folder', {}),
  copyDiagnostics: () => invoke<string>('copy_diagnostics', {}),
  firstRowsShown: () => invoke<void>('first_rows_shown', {}),
  backOnline: () => invoke<void>('back_online', {}),
  setProfilePicture: (profileId, file) => invoke<ProfileDetails>('set_profile_picture', file, { headers: { 'profile-id': profileId } }),
};

/** Every command's name, as the window's capability allows it. */
export const COMMANDS = [
  'list_profiles',
  'count_profiles',
  'profile_details',
  'patch_profile',
  'set_profile_active',
  'undo_available',
  'undo',
  'profile_history',
  'put_back',
  'remove_profile_picture',
  'profile_pictures',
  'notes',
  'add_note',
  'edit_note',
  'delete_note',
  'bot_sessions',
  'conversation',
  'goal_completions',
  'data_requests',
  'request_data',
  'properties',
  'create_property',
  'update_property',
  'delete_property',
  'profile_properties',
  'set_profile_property',
  'segments',
  'create_segment',
  'update_segment',
  'delete_segment',
  'add_to_segment',
  'remove_from_segment',
  'profile_segments',
  'goals',
  'goal_summaries',
  'schedule_job',
  'cancel_job',
  'jobs',
  'job_delay',
  'set_job_delay',
  'delete_profiles',
  'trash',
  'restore_profiles',
  'delete_forever',
  'create_segment_from',
  'time_zone',
  'set_time_zone',
  'time_zone_names',
  'sync_view',
  'sync_now',
  'sign_in',
  'sign_out',
  'recover_sync',
  'dismiss_rejection',
  'update_view',
  'check_for_updates',
  'restart_to_update',
  'open_logs_folder',
  'copy_diagnostics',
  'first_rows_shown',
  'back_online',
  'set_profile_picture',
] as const;

/** Calls the JSON command `command` on `backend` with `args` keyed as `invoke` passes them:
 * the scenario recorded from the core is replayed on the test double through this. */
export function callCommand(
  backend: Backend,
  command: string,
  args: Readonly<Record<string, unknown>>,
): Promise<unknown> {
  switch (command) {
    case 'list_profiles':
      return backend.listProfiles(args['request'] as ListRequest);
    case 'count_profiles':
      return backend.countProfiles(args['filter'] as ProfileFilter);
    case 'profile_details':
      return backend.profileDetails(args['id'] as ProfileId);
    case 'patch_profile':
      return backend.patchProfile(args['id'] as ProfileId, args['patch'] as ProfilePatch);
    case 'set_profile_active':
      return backend.setProfileActive(args['id'] as ProfileId, args['active'] as boolean);
    case 'undo_available':
      return backend.undoAvailable();
    case 'undo':
      return backend.undo();
    case 'profile_history':
      return backend.profileHistory(args['id'] as ProfileId);
    case 'put_back':
      return backend.putBack(args['id'] as ProfileId, args['putBack'] as PutBack);
    case 'remove_profile_picture':
      return backend.removeProfilePicture(args['profileId'] as ProfileId);
    case 'profile_pictures':
      return backend.profilePictures(args['ids'] as Array<ProfileId>);
    case 'notes':
      return backend.notes(args['profileId'] as ProfileId);
    case 'add_note':
      return backend.addNote(args['profileId'] as ProfileId, args['body'] as string);
    case 'edit_note':
      return backend.editNote(args['noteId'] as NoteId, args['body'] as string);
    case 'delete_note':
      return backend.deleteNote(args['noteId'] as NoteId);
    case 'bot_sessions':
      return backend.botSessions(args['profileId'] as ProfileId, args['search'] as string, args['order'] as SessionOrder);
    case 'conversation':
      return backend.conversation(args['sessionId'] as SessionId);
    case 'goal_completions':
      return backend.goalCompletions(args['profileId'] as ProfileId);
    case 'data_requests':
      return backend.dataRequests(args['profileId'] as ProfileId);
    case 'request_data':
      return backend.requestData(args['profileId'] as ProfileId, args['kind'] as DataRequestKind);
    case 'properties':
      return backend.properties(args['search'] as string, args['sort'] as PropertySort, args['direction'] as SortDirection);
    case 'create_property':
      return backend.createProperty(args['draft'] as PropertyDraft);
    case 'update_property':
      return backend.updateProperty(args['id'] as PropertyId, args['draft'] as PropertyDraft);
    case 'delete_property':
      return backend.deleteProperty(args['id'] as PropertyId);
    case 'profile_properties':
      return backend.profileProperties(args['profileId'] as ProfileId);
    case 'set_profile_property':
      return backend.setProfileProperty(args['profileId'] as ProfileId, args['propertyId'] as PropertyId, args['value'] as string | null);
    case 'segments':
      return backend.segments(args['search'] as string);
    case 'create_segment':
      return backend.createSegment(args['draft'] as SegmentDraft, args['members'] as Array<ProfileId>);
    case 'update_segment':
      return backend.updateSegment(args['id'] as SegmentId, args['draft'] as SegmentDraft);
    case 'delete_segment':
      return backend.deleteSegment(args['id'] as SegmentId);
    case 'add_to_segment':
      return backend.addToSegment(args['id'] as SegmentId, args['selection'] as Selection);
    case 'remove_from_segment':
      return backend.removeFromSegment(args['id'] as SegmentId, args['selection'] as Selection);
    case 'profile_segments':
      return backend.profileSegments(args['profileId'] as ProfileId);
    case 'goals':
      return backend.goals();
    case 'goal_summaries':
      return backend.goalSummaries();
    case 'schedule_job':
      return backend.scheduleJob(args['action'] as JobAction, args['selection'] as Selection);
    case 'cancel_job':
      return backend.cancelJob(args['id'] as JobId);
    case 'jobs':
      return backend.jobs();
    case 'job_delay':
      return backend.jobDelay();
    case 'set_job_delay':
      return backend.setJobDelay(args['seconds'] as number);
    case 'delete_profiles':
      return backend.deleteProfiles(args['selection'] as Selection);
    case 'trash':
      return backend.trash(args['query'] as TrashQuery);
    case 'restore_profiles':
      return backend.restoreProfiles(args['selection'] as TrashSelection);
    case 'delete_forever':
      return backend.deleteForever(args['selection'] as TrashSelection);
    case 'create_segment_from':
      return backend.createSegmentFrom(args['draft'] as SegmentDraft, args['selection'] as Selection);
    case 'time_zone':
      return backend.timeZone();
    case 'set_time_zone':
      return backend.setTimeZone(args['timeZone'] as string);
    case 'time_zone_names':
      return backend.timeZoneNames();
    case 'sync_view':
      return backend.syncView();
    case 'sync_now':
      return backend.syncNow();
    case 'sign_in':
      return backend.signIn(args['form'] as SignIn);
    case 'sign_out':
      return backend.signOut();
    case 'recover_sync':
      return backend.recoverSync();
    case 'dismiss_rejection':
      return backend.dismissRejection(args['mutationId'] as number);
    case 'update_view':
      return backend.updateView();
    case 'check_for_updates':
      return backend.checkForUpdates();
    case 'restart_to_update':
      return backend.restartToUpdate();
    case 'open_logs_folder':
      return backend.openLogsFolder();
    case 'copy_diagnostics':
      return backend.copyDiagnostics();
    case 'first_rows_shown':
      return backend.firstRowsShown();
    case 'back_online':
      return backend.backOnline();
    default:
      return Promise.reject(new Error(`no JSON command ${command}`));
  }
}
