// Assembles the window: the left pane (the tabs, the Trash, the Goals), header and filters, error banner, the users table with its bulk bar,
// the jobs of Active and Archive, the Segments and Properties tabs, the Trash view, the Details panel and the
// Settings dialog, all talking to one Backend (the Tauri shell, or a fake in tests). A click on a
// job's system notification (a window event from the shell) opens the job's customers.

import type { Backend } from './api';
import type { GoalSummary } from './bindings/GoalSummary';
import type { JobId } from './bindings/JobId';
import type { JobView } from './bindings/JobView';
import type { ProfileDetails } from './bindings/ProfileDetails';
import type { ProfileRow } from './bindings/ProfileRow';
import type { SegmentRef } from './bindings/SegmentRef';
import type { SortColumn } from './bindings/SortColumn';
import type { SortOrder } from './bindings/SortOrder';
import { createBulkBar } from './bulkBar';
import { createDetailsPanel } from './details';
import { el } from './dom';
import { createErrorBanner } from './errorBanner';
import { jobSummary } from './format';
import { jobId } from './ids';
import { JOB_STATUS, OPEN_JOB_EVENT, createJobsPanel } from './jobs';
import { latestOnly } from './latest';
import { PageCache, type Query } from './pageCache';
import { PictureCache } from './pictures';
import { createPropertiesPanel } from './properties';
import { createSegmentsPanel } from './segments';
import { RowSelection } from './selection';
import { createSettingsDialog } from './settings';
import { createSyncBar } from './syncBar';
import { createUndoBar } from './undoBar';
import { createTable } from './table';
import { createSideNav, type ViewName } from './sideNav';
import { createToolbar } from './toolbar';
import { createTrashPanel } from './trash';

export interface App {
  /** Removes the app from its root and detaches its window and document listeners. */
  destroy(): void;
}

export interface AppOptions {
  /** The tallest scrolling spacer, px (see virtual.ts); tests make it small. */
  readonly maxSpacerHeight?: number;
  /** How often the status bar asks where sync stands, ms. */
  readonly syncPollInterval?: number;
  /** How often the jobs are read while one is pending or running, ms. */
  readonly jobsPollInterval?: number;
}

const DEFAULT_SORT: SortOrder = { column: 'username', direction: 'asc' };

/** What changed in the store: a component's callback names it, STALE says what to read again. */
type Change =
  | 'profile'
  | 'notes'
  | 'propertyValue'
  | 'propertyAdded'
  | 'status'
  | 'jobScheduled'
  | 'jobs'
  | 'deleted'
  | 'restored'
  | 'deletedForever'
  | 'segmentCreated'
  | 'segmentMembers'
  | 'segments'
  | 'properties'
  | 'timeZone'
  | 'account'
  | 'synced'
  | 'undone';

/** The views a change makes out of date. */
interface Stale {
  /** The status bar's count of edits waiting to sync. */
  readonly pending?: true;
  /** The avatars' pictures, forgotten before the rows are read again. */
  readonly pictures?: true;
  /**
   * The table: its rows only (the count cannot have changed), its rows and count, both only while
   * it is filtered to a segment, or both when All users is next shown.
   */
  readonly table?: 'rows' | 'rowsAndCount' | 'ifSegmentFilter' | 'whenShown';
  /** The segments the Segment filter's menu offers. */
  readonly segmentFilter?: true;
  /** The profile open in Details. */
  readonly details?: true;
  /** The History of the profile open in Details (read with it too, when `details` is set). */
  readonly history?: true;
  /** The list of the Segments or Properties tab, if one of them is shown. */
  readonly listTab?: true;
  /** The Goals list in the left pane (its goals and their counts come with a sync). */
  readonly goals?: true;
  /** The jobs panel (a job cancelled by Undo). */
  readonly jobs?: true;
  /** The Trash: its count in the left pane, and the Trash view if it is shown. */
  readonly trash?: true;
}

const STALE: Readonly<Record<Change, Stale>> = {
  // A field or the picture saved in Details: the callback puts the new row in place itself.
  profile: { pending: true },
  // A note added, changed or deleted, or a data request queued.
  notes: { pending: true },
  // The customer may have joined or left the segment the table is filtered to.
  propertyValue: { pending: true, table: 'ifSegmentFilter' },
  // A property created from Details' Add a property: no customer has a value for it yet.
  propertyAdded: { pending: true },
  // Activated or archived: the row moves to the other status filter, and the counts change.
  status: { pending: true, table: 'rowsAndCount' },
  // The rows read again show their "Archiving…" or "Activating…" mark.
  jobScheduled: { pending: true, table: 'rows' },
  // A job completed (statuses changed: rows move between the status filters), was cancelled (the
  // rows' marks go) or was scheduled from the command line (the marks come).
  jobs: { pending: true, table: 'rowsAndCount', details: true },
  // The rows leave the table at once, and the count goes down; they are in the Trash now.
  deleted: { pending: true, table: 'rowsAndCount', trash: true },
  // From the Trash view, which reads itself again (and tells its count): the customers are back.
  restored: { pending: true, table: 'rowsAndCount' },
  // From the Trash view, which reads itself again: the table never showed them.
  deletedForever: { pending: true },
  // A segment made of the customers checked.
  segmentCreated: { pending: true, segmentFilter: true },
  // Customers added to a segment or taken out of it: the table may show that segment.
  segmentMembers: { pending: true, table: 'ifSegmentFilter', listTab: true },
  // On the Segments tab: the rows of a segment may have changed, for when All users is shown again.
  segments: { pending: true, segmentFilter: true, table: 'whenShown' },
  // On the Properties tab: a property rule of a segment may hold for other customers now.
  properties: { pending: true, table: 'whenShown' },
  // Undo put values back: fields and statuses may have changed, in the rows and in Details.
  // Undo of a Delete brings customers back from the Trash.
  undone: { pending: true, table: 'rowsAndCount', details: true, listTab: true, jobs: true, trash: true },
  // Every time on screen is shown in the new zone.
  timeZone: { table: 'rows', details: true },
  // Another workspace's customers, with their own pictures and segments.
  account: { pending: true, pictures: true, table: 'rowsAndCount', segmentFilter: true, goals: true, trash: true },
  // Pulled changes may have changed anything, pictures set by other managers too; the status bar
  // that saw the sync complete already shows where sync stands.
  // Colleagues' deletes and restores come with it too.
  // The edits waiting to sync are on the server now, and colleagues' changes came: Details'
  // History reads them.
  synced: { pictures: true, table: 'rowsAndCount', segmentFilter: true, listTab: true, goals: true, trash: true, history: true },
};

/** The table row for a profile the Details panel just saved; `before` is the row it replaces. */
function rowOf(details: ProfileDetails, before: ProfileRow | undefined): ProfileRow {
  const { profile } = details;
  const row: ProfileRow = {
    id: profile.id,
    username: details.username,
    email: profile.email,
    phone: profile.phone,
    location: profile.location,
    created: details.created,
    lastSeen: details.lastSeen,
    sessions: profile.sessions,
    status: profile.status,
  };
  // Details knows nothing of jobs: a job still due keeps its mark.
  if (before?.pendingJob !== undefined) row.pendingJob = before.pendingJob;
  return row;
}

export function createApp(root: HTMLElement, backend: Backend, options: AppOptions = {}): App {
  const lifetime = new AbortController();
  let sort = DEFAULT_SORT;
  /** Begun by every count request; an older count arriving late is ignored. */
  const counts = latestOnly();
  let countFailed = false;
  let tab: ViewName = 'users';
  /** Begun by every read of the segments for the Segment filter; a late answer is ignored. */
  const segmentFilterReads = latestOnly();
  /** Segments or properties changed on another tab: the rows of a segment may have changed. */
  let usersStale = false;
  /** Begun by every job opened; a job found after a later one was opened is not shown. */
  const jobOpens = latestOnly();

  const banner = createErrorBanner(() => {
    cache.clearFailures();
    pictures.clearFailures();
    if (countFailed) void refreshCount(currentQuery());
    table.render();
  });

  // The log keeps when the first rows were on screen: how long a start takes, in the field.
  let firstRowsTold = false;
  const cache = new PageCache((request) => backend.listProfiles(request), {
    onLoad: () => {
      table.render();
      if (!firstRowsTold && cache.row(0) !== undefined) {
        firstRowsTold = true;
        requestAnimationFrame(() => void backend.firstRowsShown().catch(() => undefined));
      }
    },
    onError: (error) => banner.show(error),
  });

  // The avatars' pictures: asked for as rows come into view, filled in when they arrive.
  const pictures = new PictureCache((ids) => backend.profilePictures(ids), {
    onLoad: () => table.render(),
    onError: (error) => banner.show(error),
  });

  // Active and Archive, waiting for their time: the button in the header, and its panel.
  const jobs = createJobsPanel({
    backend,
    onRowsChanged: () => changed('jobs'),
    onError: (error) => banner.show(error),
    onShowCustomers: (job) => showJobCustomers(job),
    signal: lifetime.signal,
    ...(options.jobsPollInterval === undefined ? {} : { pollInterval: options.jobsPollInterval }),
  });

  const toolbar = createToolbar({
    onChange: () => runQuery(),
    onOpenSettings: (trigger) => void settings.open(trigger),
    titleActions: [jobs.element],
  });

  const sideNav = createSideNav({
    onTab: (name) => showTab(name),
    onGoal: (goal) => openGoal(goal),
    onTrash: () => showTab('trash'),
  });
  /** Begun by every read of the Goals list; a late answer is ignored. */
  const goalReads = latestOnly();
  /** Begun by every read of the Trash's count for the left pane; a late answer is ignored. */
  const trashCounts = latestOnly();

  const selection = new RowSelection(() => {
    bulkBar.update();
    table.render();
  });

  const table = createTable({
    cache,
    pictures,
    selection,
    onOpen: (id, trigger) => {
      table.setSelected(id);
      void details.open(id, trigger);
    },
    onSort: (column: SortColumn) => {
      sort =
        column === sort.column
          ? { column, direction: sort.direction === 'asc' ? 'desc' : 'asc' }
          : { column, direction: 'asc' };
      runQuery();
    },
    signal: lifetime.signal,
    ...(options.maxSpacerHeight === undefined ? {} : { maxSpacerHeight: options.maxSpacerHeight }),
  });

  const details = createDetailsPanel({
    backend,
    onSaved: (saved) => {
      // The row stays where it is even if the edit changed its sort position: moving it away
      // under the manager's eyes would be more confusing than a row briefly out of order.
      cache.updateRow(rowOf(saved, cache.rowById(saved.profile.id)));
      // The picture, too, is the one the core now has (it may have just been set or removed).
      pictures.set(saved.profile.id, saved.picture);
      table.render();
      // The edit now waits to sync: the status bar says so at once.
      changed('profile');
    },
    onNotesChanged: () => changed('notes'),
    onPropertyValueChanged: () => changed('propertyValue'),
    onPropertyCreated: () => changed('propertyAdded'),
    onOpenSegment: (segment) => openSegment(segment),
    onSegmentMembersChanged: () => changed('segmentMembers'),
    onStatusChanged: () => changed('status'),
    onError: (error) => banner.show(error),
    neighbour: (id, step) => {
      const at = cache.indexOf(id);
      if (at === undefined) return undefined;
      const next = cache.row(at + step);
      // Not loaded yet (the next page): asked for, for the next press.
      if (next === undefined) cache.ensure(at + step, at + step);
      return next?.id;
    },
    onMoved: (id) => table.setSelected(id),
    onClose: (id, trigger) => {
      table.setSelected(undefined);
      const triggerStillShowsId = trigger?.isConnected === true && trigger.closest('.row')?.getAttribute('data-id') === id;
      if (triggerStillShowsId) trigger.focus();
      else table.focus();
    },
  });

  const bulkBar = createBulkBar({
    backend,
    selection,
    filter: () => toolbar.filter(),
    clearSelection: () => table.clearSelection(),
    onScheduled: (job) => {
      changed('jobScheduled');
      jobs.showScheduled(job);
    },
    onDeleted: (deleted) => {
      changed('deleted');
      const open = details.currentId();
      if (open !== undefined) {
        if (deleted.kind === 'ids') {
          if (deleted.ids.includes(open)) details.close();
        } else {
          // Every customer the filter matched went; whether the open one was among them, the
          // core says.
          void backend.profileDetails(open).catch(() => {
            if (details.currentId() === open) details.close();
          });
        }
      }
      table.focus();
    },
    onSegmentCreated: () => {
      changed('segmentCreated');
      table.focus();
    },
    onSegmentMembersChanged: () => {
      changed('segmentMembers');
      table.focus();
    },
  });

  const settings = createSettingsDialog({
    backend,
    onTimeZoneChanged: () => changed('timeZone'),
    onAccountChanged: () => {
      // Another workspace: the customers checked belong to the one before.
      table.clearSelection();
      changed('account');
    },
  });

  const segmentsPanel = createSegmentsPanel({
    backend,
    onChanged: () => changed('segments'),
    onOpen: (segment) => openSegment(segment),
    onError: (error) => banner.show(error),
  });

  const propertiesPanel = createPropertiesPanel({
    backend,
    onChanged: () => changed('properties'),
    onError: (error) => banner.show(error),
  });

  const trashPanel = createTrashPanel({
    backend,
    onRestored: () => changed('restored'),
    onDeletedForever: () => changed('deletedForever'),
    onTotal: (total) => {
      // The view's own read is the latest word on the count.
      trashCounts.drop();
      sideNav.setTrashCount(total);
    },
    onError: (error) => banner.show(error),
  });

  const usersPanel = el(
    'main',
    { id: 'users-panel', class: 'users-panel', role: 'tabpanel', 'aria-labelledby': 'tab-all-users' },
    bulkBar.element,
    table.element,
  );
  const panels: Readonly<Record<ViewName, HTMLElement>> = {
    users: usersPanel,
    segments: segmentsPanel.element,
    properties: propertiesPanel.element,
    trash: trashPanel.element,
  };

  /** Shows a tab's panel (or the Trash) instead of the others; the lists of Segments, Properties
   * and the Trash are read anew. */
  function showTab(name: ViewName): void {
    const opening = name !== tab;
    if (opening) {
      details.close();
      segmentsPanel.closeDialogs();
      propertiesPanel.closeDialogs();
      bulkBar.closeDialogs();
      trashPanel.closeDialogs();
    }
    tab = name;
    toolbar.setTab(name);
    sideNav.setCurrent(name, toolbar.filter().goal);
    for (const [key, panel] of Object.entries(panels)) panel.hidden = key !== name;
    if (name === 'segments') void segmentsPanel.load();
    if (name === 'properties') void propertiesPanel.load();
    if (name === 'trash') void (opening ? trashPanel.open() : trashPanel.load());
    if (name === 'users' && usersStale) {
      usersStale = false;
      refreshAll();
    }
  }

  /** All users, filtered to one segment (from the Segments tab or the Details window). */
  function openSegment(segment: SegmentRef): void {
    details.close();
    usersStale = false;
    showTab('users');
    toolbar.setSegment(segment);
    runQuery();
    // The control that opened it is gone (Details closed, or its tab hidden): the rows get focus.
    table.focus();
  }

  /** Reads the Trash again: the view if it is shown (it tells its count), else the count alone. */
  async function refreshTrash(): Promise<void> {
    if (tab === 'trash') {
      await trashPanel.load();
      return;
    }
    const ticket = trashCounts.begin();
    try {
      const page = await backend.trash({ offset: 0, limit: 1 });
      if (ticket.isCurrent()) sideNav.setTrashCount(page.total);
    } catch (error) {
      if (ticket.isCurrent()) banner.show(error);
    }
  }

  /** All users, filtered to the customers who completed a goal (from the Goals list). */
  function openGoal(goal: GoalSummary): void {
    details.close();
    usersStale = false;
    showTab('users');
    toolbar.showGoal(goal);
    runQuery();
    table.focus();
  }

  /** Reads the Goals list again. */
  async function refreshGoals(): Promise<void> {
    const ticket = goalReads.begin();
    try {
      const goals = await backend.goalSummaries();
      if (ticket.isCurrent()) sideNav.setGoals(goals);
    } catch (error) {
      if (ticket.isCurrent()) banner.show(error);
    }
  }

  /** All users, filtered to the customers a job done changed (from its notification). */
  async function openJob(id: JobId): Promise<void> {
    const ticket = jobOpens.begin();
    let job: JobView | undefined;
    try {
      job = await jobs.find(id);
    } catch (error) {
      if (ticket.isCurrent() && !lifetime.signal.aborted) banner.show(error);
      return;
    }
    if (!ticket.isCurrent() || lifetime.signal.aborted) return;
    if (job === undefined) {
      // Only the last jobs done keep their customers listed.
      banner.show(new Error('That job is no longer listed, so its customers cannot be shown.'));
      return;
    }
    showJobCustomers(job);
  }

  /** All users, filtered to the customers of a job done, in the status it left them in. */
  function showJobCustomers(job: JobView): void {
    // A job still being looked up for its notification is not shown over this one.
    jobOpens.drop();
    if (job.state !== 'done') {
      banner.show(new Error(job.state === 'cancelled' ? 'That job was cancelled: it changed no customers.' : 'That job is not done yet.'));
      return;
    }
    details.close();
    jobs.close();
    usersStale = false;
    showTab('users');
    toolbar.showJob(job.id, JOB_STATUS[job.action], jobSummary(job.action, job.applied));
    runQuery();
    table.focus();
  }

  /** Reads the segments again for the Segment filter's menu. */
  async function refreshSegmentFilter(): Promise<void> {
    const ticket = segmentFilterReads.begin();
    try {
      const segments = await backend.segments('');
      if (!ticket.isCurrent()) return;
      // The segment the table was filtered to is gone: the filter falls back to all segments.
      if (toolbar.setSegments(segments)) runQuery();
    } catch (error) {
      if (ticket.isCurrent()) banner.show(error);
    }
  }

  const syncBar = createSyncBar({
    backend,
    onSynced: () => changed('synced'),
    onSeeHistory: (id) => void details.open(id, undefined, { section: 'history' }),
    signal: lifetime.signal,
    ...(options.syncPollInterval === undefined ? {} : { pollInterval: options.syncPollInterval }),
  });

  const undoBar = createUndoBar({
    backend,
    onUndone: () => changed('undone'),
    onError: (error) => banner.show(error),
    signal: lifetime.signal,
  });

  /** Reads again what a change made out of date (see STALE). */
  function changed(change: Change): void {
    // An edit, a change of the Active option, a job or a Delete: Undo offers to take it back.
    const undoable: readonly Change[] = ['profile', 'status', 'segmentMembers', 'jobScheduled', 'deleted'];
    if (undoable.includes(change)) void undoBar.refresh();
    const stale = STALE[change];
    // The rows read again ask for the pictures they show: the old ones must be gone by then.
    if (stale.pictures === true) pictures.clear();
    refreshTable(stale.table);
    if (stale.segmentFilter === true) void refreshSegmentFilter();
    if (stale.goals === true) void refreshGoals();
    if (stale.listTab === true && tab === 'segments') void segmentsPanel.load();
    if (stale.listTab === true && tab === 'properties') void propertiesPanel.load();
    if (stale.details === true) void details.reload();
    else if (stale.history === true) void details.reloadHistory();
    if (stale.pending === true) void syncBar.refresh();
    if (stale.jobs === true) void jobs.refresh();
    if (stale.trash === true) void refreshTrash();
  }

  /** Reads the table again as far as a change needs (see Stale's `table`). */
  function refreshTable(which: Stale['table']): void {
    if (which === 'rows') {
      cache.refresh();
      table.render();
    } else if (which === 'rowsAndCount') {
      refreshAll();
    } else if (which === 'ifSegmentFilter') {
      if (toolbar.filter().segment !== undefined) refreshAll();
    } else if (which === 'whenShown') {
      // Made on another tab, where the rows are not seen: showTab() reads them on the way back.
      usersStale = true;
    }
  }

  /** The rows and count are read again, the old rows shown until the new ones arrive. */
  function refreshAll(): void {
    cache.refresh();
    table.render();
    void refreshCount(currentQuery());
  }

  function currentQuery(): Query {
    return { filter: toolbar.filter(), sort };
  }

  async function refreshCount(query: Query): Promise<void> {
    const ticket = counts.begin();
    toolbar.setCountLoading(true);
    try {
      const count = await backend.countProfiles(query.filter);
      if (!ticket.isCurrent()) return;
      countFailed = false;
      toolbar.setCount(count);
      table.setCount(count);
      bulkBar.setMatching(count);
    } catch (error) {
      if (!ticket.isCurrent()) return;
      countFailed = true;
      banner.show(error);
    } finally {
      if (ticket.isCurrent()) toolbar.setCountLoading(false);
    }
  }

  /** Shows the rows for the current filters and sort, from the top. */
  function runQuery(): void {
    // The checked rows belong to the filters and order they were picked in: under new ones the
    // Shift+click positions mean other rows, and customers no longer shown would still be acted
    // on out of sight. So the selection starts again, as the scroll position does.
    table.clearSelection();
    bulkBar.setMatching(undefined);
    const query = currentQuery();
    sideNav.setCurrent(tab, query.filter.goal);
    cache.setQuery(query);
    table.setSort(sort);
    // The first page is asked for alongside the count rather than after it.
    cache.ensure(0, cache.pageSize - 1);
    table.scrollToTop();
    void refreshCount(query);
  }

  document.addEventListener(
    'keydown',
    (event) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      // The dialogs of the Segments and Properties tabs handle their own Escape.
      if (settings.isOpen()) {
        event.preventDefault();
        settings.close();
      } else if (details.isOpen() && !details.isEditing()) {
        event.preventDefault();
        details.close();
      }
    },
    { signal: lifetime.signal },
  );

  window.addEventListener(
    OPEN_JOB_EVENT,
    (event) => {
      const id: unknown = event instanceof CustomEvent ? event.detail : undefined;
      if (typeof id === 'string' && id !== '') void openJob(jobId(id));
    },
    { signal: lifetime.signal },
  );

  const shell = el(
    'div',
    { class: 'app' },
    sideNav.element,
    el(
      'div',
      { class: 'app-main' },
      toolbar.element,
      banner.element,
      usersPanel,
      segmentsPanel.element,
      propertiesPanel.element,
      trashPanel.element,
      undoBar.element,
      syncBar.element,
    ),
    details.element,
    settings.element,
    ...bulkBar.dialogs,
  );
  root.append(shell);
  showTab('users');
  runQuery();
  void refreshSegmentFilter();
  void refreshGoals();
  void refreshTrash();

  return {
    destroy() {
      lifetime.abort();
      shell.remove();
    },
  };
}
