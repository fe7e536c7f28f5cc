// The header: the title, and for All users the search box, the filters and the count; while the
// table shows the customers of a bulk job or of a goal, a chip naming it, whose button shows all
// customers again. The tabs (All users, Segments, Properties) are in the left pane (sideNav.ts).

import type { GoalId } from './bindings/GoalId';
import type { GoalSummary } from './bindings/GoalSummary';
import type { JobId } from './bindings/JobId';
import type { LastSeenWindow } from './bindings/LastSeenWindow';
import type { Platform } from './bindings/Platform';
import type { ProfileFilter } from './bindings/ProfileFilter';
import type { ProfileStatus } from './bindings/ProfileStatus';
import type { ProfileType } from './bindings/ProfileType';
import type { SegmentId } from './bindings/SegmentId';
import type { SegmentRef } from './bindings/SegmentRef';
import type { ViewName } from './sideNav';
import { clear, el, setText } from './dom';
import { LAST_SEEN_LABELS, PLATFORM_LABELS, STATUS_LABELS, TYPE_LABELS, formatUserCount } from './format';
import { closeIcon, gearIcon, searchIcon } from './icons';
import { segmentId } from './ids';

/** Long enough to skip the keystrokes of a word being typed, short enough to feel immediate. */
export const SEARCH_DEBOUNCE_MS = 200;

export interface ToolbarOptions {
  /** The search or a filter changed. */
  readonly onChange: () => void;
  readonly onOpenSettings: (trigger: HTMLElement) => void;
  /** Shown in the title bar before Settings (the jobs button). */
  readonly titleActions?: readonly HTMLElement[];
}

export interface Toolbar {
  readonly element: HTMLElement;
  /** The filter the controls describe. */
  filter(): ProfileFilter;
  /** Shows the count; `undefined` while the first one is loading. */
  setCount(count: number | undefined): void;
  /** Dims the count while a newer one is on its way. */
  setCountLoading(loading: boolean): void;
  /** Marks the tab shown; the search, filters and count show for All users only. */
  setTab(view: ViewName): void;
  /**
   * Fills the Segment filter's menu. Returns whether the segment it had selected is gone (the
   * filter then shows all segments, so the rows must be read again).
   */
  setSegments(segments: readonly SegmentRef[]): boolean;
  /**
   * Shows a segment opened (from Details or the Segments tab): every member, whatever the search,
   * the other filters and the status were (`undefined`: all segments).
   */
  setSegment(segment: SegmentRef | undefined): void;
  /**
   * Filters to a bulk job's customers: the status they were left in, every other filter and the
   * search back to their defaults, and the chip saying so (`label`, the job's summary). The other
   * filters can then be changed; the job stays until the chip's button is clicked.
   */
  showJob(job: JobId, status: ProfileStatus, label: string): void;
  /**
   * Filters to the customers who completed a goal, whatever their status, every other filter
   * and the search back to their defaults, and the chip saying so (the goal and its bot).
   */
  showGoal(goal: GoalSummary): void;
}

function select<T extends string>(
  id: string,
  label: string,
  options: readonly (readonly [value: T | '', text: string])[],
): { wrapper: HTMLLabelElement; control: HTMLSelectElement } {
  const control = el('select', { id, name: id });
  for (const [value, text] of options) control.append(el('option', { value }, text));
  const wrapper = el('label', { class: 'filter' }, el('span', { class: 'filter-label' }, label), control);
  return { wrapper, control };
}

function entries<K extends string>(labels: Readonly<Record<K, string>>): (readonly [K, string])[] {
  return Object.entries(labels) as [K, string][];
}

export function createToolbar(options: ToolbarOptions): Toolbar {
  const settings = el(
    'button',
    { type: 'button', id: 'settings', class: 'icon-button', 'aria-label': 'Settings', title: 'Settings' },
    gearIcon(),
  );
  settings.addEventListener('click', () => options.onOpenSettings(settings));

  const search = el('input', {
    id: 'search',
    type: 'search',
    placeholder: 'Search name, email or phone',
    'aria-label': 'Search users by name, email or phone',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  // Active first (the table opens on it), then Archived, then All: both.
  const status = select<ProfileStatus>('status-filter', 'Status', [...entries(STATUS_LABELS), ['', 'All']]);
  const kind = select<ProfileType>('type-filter', 'Type', [['', 'All types'], ...entries(TYPE_LABELS)]);
  const platform = select<Platform>('platform-filter', 'Platform', [['', 'All platforms'], ...entries(PLATFORM_LABELS)]);
  const lastSeen = select<LastSeenWindow>('last-seen-filter', 'Last seen', entries(LAST_SEEN_LABELS));
  const segment = select<SegmentId>('segment-filter', 'Segment', [['', 'All segments']]);
  const count = el('span', { id: 'count', class: 'count', 'aria-live': 'polite' });
  /** The bulk job, or the goal, whose customers the table shows, if any. */
  let job: JobId | undefined;
  let goal: GoalId | undefined;
  const jobChip = narrowingChip('job-filter', () => {
    job = undefined;
  });
  const goalChip = narrowingChip('goal-filter', () => {
    goal = undefined;
  });

  /** A chip naming what the table is narrowed to; its button shows all customers again. */
  function narrowingChip(id: string, onClear: () => void): { element: HTMLElement; show(label: string): void; hide(): void } {
    const label = el('span', { class: 'job-filter-label' });
    const clearButton = el(
      'button',
      {
        type: 'button',
        id: `${id}-clear`,
        class: 'icon-button job-filter-clear',
        'aria-label': 'Show all customers again',
        title: 'Show all customers again',
      },
      closeIcon(),
    );
    const element = el('span', { id, class: 'job-filter', hidden: true }, label, clearButton);
    const hide = (): void => {
      element.hidden = true;
      setText(label, '');
    };
    clearButton.addEventListener('click', () => {
      onClear();
      hide();
      // The button went with the chip: focus moves to the search box beside it.
      search.focus();
      options.onChange();
    });
    return {
      element,
      show(text) {
        setText(label, text);
        element.hidden = false;
      },
      hide,
    };
  }

  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  let appliedSearch = '';
  const applySearch = (): void => {
    clearTimeout(searchTimer);
    searchTimer = undefined;
    const value = search.value.trim();
    if (value === appliedSearch) return;
    appliedSearch = value;
    options.onChange();
  };
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(applySearch, SEARCH_DEBOUNCE_MS);
  });
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') applySearch();
  });
  for (const { control } of [status, kind, platform, lastSeen, segment]) {
    control.addEventListener('change', () => options.onChange());
  }
  const filters = el(
    'div',
    { class: 'toolbar' },
    el('label', { class: 'search' }, searchIcon(), search),
    status.wrapper,
    kind.wrapper,
    platform.wrapper,
    lastSeen.wrapper,
    segment.wrapper,
    jobChip.element,
    goalChip.element,
    el('span', { class: 'toolbar-spacer' }),
    count,
  );
  const element = el(
    'header',
    { class: 'app-header' },
    el(
      'div',
      { class: 'title-bar' },
      el('h1', { class: 'title' }, 'Users'),
      el('div', { class: 'title-actions' }, ...(options.titleActions ?? []), settings),
    ),
    filters,
  );

  function setTab(view: ViewName): void {
    filters.hidden = view !== 'users';
  }
  setTab('users');

  /** No search, no filter but the status `to` ('' for All), no job's or goal's customers. */
  function clearFilters(to: ProfileStatus | ''): void {
    clearTimeout(searchTimer);
    searchTimer = undefined;
    search.value = '';
    appliedSearch = '';
    status.control.value = to;
    kind.control.value = '';
    platform.control.value = '';
    lastSeen.control.value = 'any' satisfies LastSeenWindow;
    segment.control.value = '';
    job = undefined;
    goal = undefined;
    jobChip.hide();
    goalChip.hide();
  }

  function segmentOption(ref: SegmentRef): HTMLOptionElement {
    return el('option', { value: ref.id }, ref.name);
  }

  return {
    element,
    filter() {
      const filter: ProfileFilter = {
        lastSeen: lastSeen.control.value as LastSeenWindow,
        search: appliedSearch,
      };
      if (status.control.value !== '') filter.status = status.control.value as ProfileStatus;
      if (kind.control.value !== '') filter.kind = kind.control.value as ProfileType;
      if (platform.control.value !== '') filter.platform = platform.control.value as Platform;
      if (segment.control.value !== '') filter.segment = segmentId(segment.control.value);
      if (job !== undefined) filter.job = job;
      if (goal !== undefined) filter.goal = goal;
      return filter;
    },
    setCount(n) {
      setText(count, n === undefined ? '' : formatUserCount(n));
    },
    setCountLoading(loading) {
      count.classList.toggle('is-loading', loading);
    },
    setTab,
    setSegments(segments) {
      const selected = segment.control.value;
      clear(segment.control);
      segment.control.append(el('option', { value: '' }, 'All segments'), ...segments.map(segmentOption));
      const kept = selected === '' || segments.some((s) => s.id === selected);
      segment.control.value = kept ? selected : '';
      return !kept;
    },
    setSegment(ref) {
      if (ref !== undefined && ![...segment.control.options].some((o) => o.value === ref.id)) {
        segment.control.append(segmentOption(ref));
      }
      // A segment opened shows every member: no search, no other filter, either status.
      clearFilters('');
      segment.control.value = ref?.id ?? '';
    },
    showJob(id, jobStatus, label) {
      clearFilters(jobStatus);
      job = id;
      jobChip.show(`Customers of: ${label}`);
    },
    showGoal(completed) {
      clearFilters('');
      goal = completed.id;
      goalChip.show(`Completed ${completed.name} (${completed.bot})`);
    },
  };
}
