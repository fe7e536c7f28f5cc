// The header above the table: the title, the tabs, the search box, the filters and the count.

import type { LastSeenWindow } from './bindings/LastSeenWindow';
import type { Platform } from './bindings/Platform';
import type { ProfileFilter } from './bindings/ProfileFilter';
import type { ProfileStatus } from './bindings/ProfileStatus';
import type { ProfileType } from './bindings/ProfileType';
import { el, setText } from './dom';
import { LAST_SEEN_LABELS, PLATFORM_LABELS, STATUS_LABELS, TYPE_LABELS, formatUserCount } from './format';
import { gearIcon, searchIcon } from './icons';

/** Long enough to skip the keystrokes of a word being typed, short enough to feel immediate. */
export const SEARCH_DEBOUNCE_MS = 200;

export interface ToolbarOptions {
  /** The search or a filter changed. */
  readonly onChange: () => void;
  readonly onOpenSettings: (trigger: HTMLElement) => void;
}

export interface Toolbar {
  readonly element: HTMLElement;
  /** The filter the controls describe. */
  filter(): ProfileFilter;
  /** Shows the count; `undefined` while the first one is loading. */
  setCount(count: number | undefined): void;
  /** Dims the count while a newer one is on its way. */
  setCountLoading(loading: boolean): void;
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
  const status = select<ProfileStatus>('status-filter', 'Status', entries(STATUS_LABELS));
  const kind = select<ProfileType>('type-filter', 'Type', [['', 'All types'], ...entries(TYPE_LABELS)]);
  const platform = select<Platform>('platform-filter', 'Platform', [['', 'All platforms'], ...entries(PLATFORM_LABELS)]);
  const lastSeen = select<LastSeenWindow>('last-seen-filter', 'Last seen', entries(LAST_SEEN_LABELS));
  const count = el('span', { id: 'count', class: 'count', 'aria-live': 'polite' });

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
  for (const { control } of [status, kind, platform, lastSeen]) {
    control.addEventListener('change', () => options.onChange());
  }

  const element = el(
    'header',
    { class: 'app-header' },
    el('div', { class: 'title-bar' }, el('h1', { class: 'title' }, 'Users'), settings),
    el(
      'div',
      { class: 'tabs', role: 'tablist', 'aria-label': 'User lists' },
      el(
        'button',
        { type: 'button', class: 'tab is-active', role: 'tab', id: 'tab-all-users', 'aria-selected': 'true', 'aria-controls': 'users-panel' },
        'All users',
      ),
    ),
    el(
      'div',
      { class: 'toolbar' },
      el('label', { class: 'search' }, searchIcon(), search),
      status.wrapper,
      kind.wrapper,
      platform.wrapper,
      lastSeen.wrapper,
      el('span', { class: 'toolbar-spacer' }),
      count,
    ),
  );

  return {
    element,
    filter() {
      const filter: ProfileFilter = {
        status: status.control.value as ProfileStatus,
        lastSeen: lastSeen.control.value as LastSeenWindow,
        search: appliedSearch,
      };
      if (kind.control.value !== '') filter.kind = kind.control.value as ProfileType;
      if (platform.control.value !== '') filter.platform = platform.control.value as Platform;
      return filter;
    },
    setCount(n) {
      setText(count, n === undefined ? '' : formatUserCount(n));
    },
    setCountLoading(loading) {
      count.classList.toggle('is-loading', loading);
    },
  };
}
