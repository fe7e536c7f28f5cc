// Assembles the window: header, tabs and filters, error banner, the users table with its bulk bar,
// the jobs of Active and Archive, the Segments and Properties tabs, the Details panel and the
// Settings dialog, all talking to one Backend (the Tauri shell, or a fake in tests). A click on a
// job's system notification (a window event from the shell) opens the job's customers.

import type { Backend } from './api';
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
import { JOB_STATUS, OPEN_JOB_EVENT, createJobsPanel } from './jobs';
import { PageCache, type Query } from './pageCache';
import { PictureCache } from './pictures';
import { createPropertiesPanel } from './properties';
import { createSegmentsPanel } from './segments';
import { RowSelection } from './selection';
import { createSettingsDialog } from './settings';
import { createSyncBar } from './syncBar';
import { createTable } from './table';
import { createToolbar, type TabName } from './toolbar';

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
  /** Bumped by every count request; an older count arriving late is ignored. */
  let countToken = 0;
  let countFailed = false;
  let tab: TabName = 'users';
  /** Bumped by every read of the segments for the Segment filter; a late answer is ignored. */
  let segmentsToken = 0;
  /** Segments or properties changed on another tab: the rows of a segment may have changed. */
  let usersStale = false;
  /** Bumped by every job opened; a job found after a later one was opened is not shown. */
  let openJobToken = 0;

  const banner = createErrorBanner(() => {
    cache.clearFailures();
    pictures.clearFailures();
    if (countFailed) void refreshCount(currentQuery());
    table.render();
  });

  const cache = new PageCache((request) => backend.listProfiles(request), {
    onLoad: () => table.render(),
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
    onRowsChanged: () => {
      // A job completed (statuses changed: rows move between the status filters), was cancelled
      // (the rows' marks go) or was scheduled from the command line (the marks come).
      refreshAll();
      void details.reload();
      void syncBar.refresh();
    },
    onError: (error) => banner.show(error),
    onShowCustomers: (job) => showJobCustomers(job),
    signal: lifetime.signal,
    ...(options.jobsPollInterval === undefined ? {} : { pollInterval: options.jobsPollInterval }),
  });

  const toolbar = createToolbar({
    onChange: () => runQuery(),
    onOpenSettings: (trigger) => void settings.open(trigger),
    onTab: (name) => showTab(name),
    titleActions: [jobs.element],
  });

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
      void syncBar.refresh();
    },
    onNotesChanged: () => void syncBar.refresh(),
    onPropertyValueChanged: () => {
      void syncBar.refresh();
      // The customer may have joined or left the segment the table is filtered to.
      if (toolbar.filter().segment !== undefined) refreshAll();
    },
    onPropertyCreated: () => void syncBar.refresh(),
    onOpenSegment: (segment) => openSegment(segment),
    onStatusChanged: () => {
      // Activated or archived: the row moves to the other status filter, and the counts change.
      refreshAll();
      void syncBar.refresh();
    },
    onError: (error) => banner.show(error),
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
      // The rows read again show their "Archiving…" or "Activating…" mark.
      cache.refresh();
      table.render();
      jobs.showScheduled(job);
      void syncBar.refresh();
    },
    onDeleted: (deleted) => {
      // The rows leave the table at once, and the count goes down.
      refreshAll();
      void syncBar.refresh();
      const open = details.currentId();
      if (open !== undefined) {
        if (deleted.kind === 'ids') {
          if (deleted.ids.includes(open)) details.close();
        } else {
          // Every customer the filter matched went; whether the open one was among them, the
          // core says.
          void backend.getProfile(open).catch(() => {
            if (details.currentId() === open) details.close();
          });
        }
      }
      table.focus();
    },
    onSegmentCreated: () => {
      void refreshSegmentFilter();
      void syncBar.refresh();
      table.focus();
    },
  });

  const settings = createSettingsDialog({
    backend,
    onTimeZoneChanged: () => {
      cache.refresh();
      table.render();
      void details.reload();
    },
    onAccountChanged: () => {
      // Another workspace: the customers checked belong to the one before.
      table.clearSelection();
      void syncBar.refresh();
      // Another workspace's customers, with their own pictures.
      pictures.clear();
      refreshAll();
      void refreshSegmentFilter();
    },
  });

  const segmentsPanel = createSegmentsPanel({
    backend,
    onChanged: () => {
      void syncBar.refresh();
      void refreshSegmentFilter();
      usersStale = true;
    },
    onOpen: (segment) => openSegment(segment),
    onError: (error) => banner.show(error),
  });

  const propertiesPanel = createPropertiesPanel({
    backend,
    onChanged: () => {
      void syncBar.refresh();
      // A property rule of a segment may hold for other customers now.
      usersStale = true;
    },
    onError: (error) => banner.show(error),
  });

  const usersPanel = el(
    'main',
    { id: 'users-panel', class: 'users-panel', role: 'tabpanel', 'aria-labelledby': 'tab-all-users' },
    bulkBar.element,
    table.element,
  );
  const panels: Readonly<Record<TabName, HTMLElement>> = {
    users: usersPanel,
    segments: segmentsPanel.element,
    properties: propertiesPanel.element,
  };

  /** Shows a tab's panel instead of the others; the lists of Segments and Properties are read anew. */
  function showTab(name: TabName): void {
    if (name !== tab) {
      details.close();
      segmentsPanel.closeDialogs();
      propertiesPanel.closeDialogs();
      bulkBar.closeDialogs();
    }
    tab = name;
    toolbar.setTab(name);
    for (const [key, panel] of Object.entries(panels)) panel.hidden = key !== name;
    if (name === 'segments') void segmentsPanel.load();
    if (name === 'properties') void propertiesPanel.load();
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

  /** All users, filtered to the customers a job done changed (from its notification). */
  async function openJob(id: string): Promise<void> {
    openJobToken += 1;
    const mine = openJobToken;
    let job: JobView | undefined;
    try {
      job = await jobs.find(id);
    } catch (error) {
      if (mine === openJobToken && !lifetime.signal.aborted) banner.show(error);
      return;
    }
    if (mine !== openJobToken || lifetime.signal.aborted) return;
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
    openJobToken += 1;
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
    segmentsToken += 1;
    const mine = segmentsToken;
    try {
      const segments = await backend.listSegments('');
      if (mine !== segmentsToken) return;
      // The segment the table was filtered to is gone: the filter falls back to all segments.
      if (toolbar.setSegments(segments)) runQuery();
    } catch (error) {
      if (mine === segmentsToken) banner.show(error);
    }
  }

  const syncBar = createSyncBar({
    backend,
    onSynced: () => {
      // Pulled changes may have brought pictures set by other managers.
      pictures.clear();
      refreshAll();
      void refreshSegmentFilter();
      if (tab === 'segments') void segmentsPanel.load();
      if (tab === 'properties') void propertiesPanel.load();
    },
    signal: lifetime.signal,
    ...(options.syncPollInterval === undefined ? {} : { pollInterval: options.syncPollInterval }),
  });

  /** Pulled changes or a sign-in changed the store: rows and count are read again. */
  function refreshAll(): void {
    cache.refresh();
    table.render();
    void refreshCount(currentQuery());
  }

  function currentQuery(): Query {
    return { filter: toolbar.filter(), sort };
  }

  async function refreshCount(query: Query): Promise<void> {
    countToken += 1;
    const token = countToken;
    toolbar.setCountLoading(true);
    try {
      const count = await backend.countProfiles(query.filter);
      if (token !== countToken) return;
      countFailed = false;
      toolbar.setCount(count);
      table.setCount(count);
      bulkBar.setMatching(count);
    } catch (error) {
      if (token !== countToken) return;
      countFailed = true;
      banner.show(error);
    } finally {
      if (token === countToken) toolbar.setCountLoading(false);
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
      if (typeof id === 'string' && id !== '') void openJob(id);
    },
    { signal: lifetime.signal },
  );

  const shell = el(
    'div',
    { class: 'app' },
    toolbar.element,
    banner.element,
    usersPanel,
    segmentsPanel.element,
    propertiesPanel.element,
    syncBar.element,
    details.element,
    settings.element,
    ...bulkBar.dialogs,
  );
  root.append(shell);
  showTab('users');
  runQuery();
  void refreshSegmentFilter();

  return {
    destroy() {
      lifetime.abort();
      shell.remove();
    },
  };
}
