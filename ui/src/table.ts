// The All users table: a sticky header of sort buttons over a virtualised list of rows.
//
// Only the rows in view (plus a few each side) exist as elements, and the same elements are
// refilled as the list scrolls. The list's position is kept in row pixels (rowTop); when the
// spacer is capped (see virtual.ts) the wheel and the keyboard move rowTop directly, so scrolling
// goes row by row at the normal speed instead of jumping by the scale factor, and only a drag of
// the scroll bar goes through the proportional mapping.
//
// Each username has a small round avatar before it: the customer's picture once it has arrived,
// else their initials. Pictures are asked for a moment after rows come into view, in one call for
// all the rows then shown that are not yet known, and never hold up the rows themselves.
//
// A checkbox before each row selects it for the bulk actions (a click picks one row, Shift+click
// the range from the row clicked last); the header's checkbox selects the rows on screen. The
// selection is a set of ids (or the whole filter, see selection.ts), so it survives scrolling and
// the row nodes being reused; a render only sets each node's `checked`, as it sets its text.

import type { PictureView } from './bindings/PictureView';
import type { ProfileId } from './bindings/ProfileId';
import type { ProfileRow } from './bindings/ProfileRow';
import type { SortColumn } from './bindings/SortColumn';
import type { SortOrder } from './bindings/SortOrder';
import { el, setText } from './dom';
import { COLUMN_LABELS, PENDING_JOB_LABELS, STATUS_LABELS, formatNumber, isAnonymousUsername, usernameInitials } from './format';
import { personIcon } from './icons';
import type { PageCache } from './pageCache';
import type { PictureCache } from './pictures';
import type { RowSelection } from './selection';
import {
  MAX_SPACER_HEIGHT,
  clampRowTop,
  geometry,
  isScaled,
  metrics,
  rowOffset,
  rowTopForScrollTop,
  scrollTopForRowTop,
  visibleRange,
  type Geometry,
} from './virtual';

/** Must match .row's height in styles.css. */
export const ROW_HEIGHT = 32;
/** Must match .head-row's height in styles.css. */
export const HEADER_HEIGHT = 36;
/** Rows rendered beyond each edge of the viewport, so a small scroll shows no gap. */
export const OVERSCAN = 6;
/** Rows fetched beyond each edge, so the next page is usually there before it is scrolled to. */
const PREFETCH_ROWS = 60;
/** How long after rows come into view their pictures are asked for, ms: while the list scrolls
 * fast, the rows only passed over are not asked for. */
export const PICTURE_DELAY = 80;

export const COLUMNS: readonly SortColumn[] = [
  'username',
  'email',
  'phone',
  'location',
  'created',
  'lastSeen',
  'sessions',
  'status',
];

export interface TableOptions {
  readonly cache: PageCache;
  /** The customers' pictures for the avatars; without it, every avatar shows initials. */
  readonly pictures?: PictureCache;
  /** The rows checked for the bulk actions; the table redraws when it tells of a change. */
  readonly selection: RowSelection;
  readonly onOpen: (id: ProfileId, trigger: HTMLElement) => void;
  readonly onSort: (column: SortColumn) => void;
  readonly maxSpacerHeight?: number;
  /** Removes the table's window listeners when aborted. */
  readonly signal?: AbortSignal;
}

export interface Table {
  readonly element: HTMLElement;
  /** The number of rows the current query has. */
  setCount(count: number): void;
  setSort(sort: SortOrder): void;
  /** Highlights the row whose Details are open. */
  setSelected(id: ProfileId | undefined): void;
  /** Unchecks every row and forgets the row a Shift+click range would start from. */
  clearSelection(): void;
  scrollToTop(): void;
  /** Brings the rows in view up to date with the cache and the scroll position. */
  render(): void;
  focus(): void;
}

/** What an avatar shows without a picture: initials, or the anonymous icon. */
const ANONYMOUS = Symbol('anonymous');
type AvatarFallback = string | typeof ANONYMOUS;

interface RowNode {
  readonly element: HTMLDivElement;
  readonly check: HTMLInputElement;
  readonly avatar: HTMLSpanElement;
  readonly username: HTMLButtonElement;
  readonly cells: Readonly<Record<Exclude<SortColumn, 'username' | 'status'>, HTMLDivElement>>;
  readonly badge: HTMLSpanElement;
  /** "Archiving…" or "Activating…" while a job will change the row. */
  readonly mark: HTMLSpanElement;
  index: number;
  row: ProfileRow | undefined;
  top: number;
  /** The row's initials or the anonymous icon, worked out when the row is filled. */
  fallback: AvatarFallback;
  /** What the avatar shows now (undefined: nothing, for a placeholder). */
  avatarShown: PictureView | AvatarFallback | undefined;
  image: HTMLImageElement | undefined;
}

type TextColumn = keyof RowNode['cells'];
const TEXT_COLUMNS: readonly TextColumn[] = ['email', 'phone', 'location', 'created', 'lastSeen', 'sessions'];

function createRowNode(): RowNode {
  const check = el('input', { type: 'checkbox', class: 'row-check' });
  // Hidden from assistive technology, as the name follows it; the button's text stays the username.
  const avatar = el('span', { class: 'row-avatar', 'aria-hidden': 'true', hidden: true });
  const username = el('button', { type: 'button', class: 'username' });
  const cell = (column: SortColumn, ...children: Node[]): HTMLDivElement =>
    el('div', { class: `cell cell-${column}`, role: 'cell' }, ...children);
  const badge = el('span', { class: 'badge' });
  const mark = el('span', { class: 'pending-job', hidden: true });
  const cells = {
    email: cell('email'),
    phone: cell('phone'),
    location: cell('location'),
    created: cell('created'),
    lastSeen: cell('lastSeen'),
    sessions: cell('sessions'),
  };
  const element = el(
    'div',
    { class: 'row', role: 'row' },
    el('div', { class: 'cell cell-select', role: 'cell' }, check),
    cell('username', avatar, username),
    cells.email,
    cells.phone,
    cells.location,
    cells.created,
    cells.lastSeen,
    cells.sessions,
    cell('status', badge, mark),
  );
  return {
    element,
    check,
    avatar,
    username,
    cells,
    badge,
    mark,
    index: -1,
    row: undefined,
    top: Number.NaN,
    fallback: '',
    avatarShown: undefined,
    image: undefined,
  };
}

/** Shows the picture when there is one, else the fallback; touches the DOM only on a change. */
function showAvatar(node: RowNode, picture: PictureView | null | undefined): void {
  const want = node.row === undefined ? undefined : (picture ?? node.fallback);
  if (want === node.avatarShown) return;
  node.avatarShown = want;
  const avatar = node.avatar;
  avatar.hidden = want === undefined;
  avatar.classList.toggle('has-picture', typeof want === 'object');
  avatar.classList.toggle('is-anonymous', want === ANONYMOUS);
  if (want === undefined) {
    avatar.replaceChildren();
  } else if (want === ANONYMOUS) {
    avatar.replaceChildren(personIcon());
  } else if (typeof want === 'string') {
    avatar.replaceChildren(want);
  } else {
    node.image ??= el('img', { class: 'row-avatar-image', alt: '', draggable: 'false', decoding: 'async' });
    if (node.image.getAttribute('src') !== want.dataUrl) node.image.src = want.dataUrl;
    avatar.replaceChildren(node.image);
  }
}

function cellText(row: ProfileRow, column: TextColumn): string {
  switch (column) {
    case 'sessions':
      return formatNumber(row.sessions);
    default:
      return row[column];
  }
}

function fillRow(node: RowNode, row: ProfileRow | undefined): void {
  node.row = row;
  const element = node.element;
  element.classList.toggle('is-placeholder', row === undefined);
  if (row === undefined) {
    element.removeAttribute('data-id');
    element.setAttribute('aria-busy', 'true');
    node.username.hidden = true;
    setText(node.username, '');
    for (const column of TEXT_COLUMNS) {
      setText(node.cells[column], '');
      node.cells[column].removeAttribute('title');
    }
    node.badge.hidden = true;
    node.mark.hidden = true;
    node.check.hidden = true;
    node.check.removeAttribute('aria-label');
    return;
  }
  element.setAttribute('data-id', row.id);
  element.removeAttribute('aria-busy');
  node.fallback = isAnonymousUsername(row.id, row.username) ? ANONYMOUS : usernameInitials(row.username);
  node.username.hidden = false;
  setText(node.username, row.username);
  node.username.title = row.username;
  for (const column of TEXT_COLUMNS) {
    const text = cellText(row, column);
    const cell = node.cells[column];
    // An empty value shows a dash, so a blank cell never reads as "still loading".
    cell.classList.toggle('is-empty', text === '');
    setText(cell, text === '' ? '—' : text);
    cell.title = text;
  }
  node.badge.hidden = false;
  node.badge.className = `badge badge-${row.status}`;
  setText(node.badge, STATUS_LABELS[row.status]);
  node.check.hidden = false;
  node.check.setAttribute('aria-label', `Select ${row.username}`);
  const job = row.pendingJob;
  node.mark.hidden = job === undefined;
  if (job === undefined) {
    node.mark.removeAttribute('data-action');
  } else {
    node.mark.setAttribute('data-action', job);
    setText(node.mark, PENDING_JOB_LABELS[job].text);
    node.mark.title = PENDING_JOB_LABELS[job].title;
  }
}

export function createTable(options: TableOptions): Table {
  const { cache, pictures, selection } = options;
  const maxSpacerHeight = options.maxSpacerHeight ?? MAX_SPACER_HEIGHT;

  const sortButtons = new Map<SortColumn, { header: HTMLElement; arrow: HTMLElement }>();
  const selectOnScreen = el('input', {
    type: 'checkbox',
    id: 'select-all-on-screen',
    class: 'head-check',
    'aria-label': 'Select the users on screen',
    title: 'Select the users on screen',
  });
  const headRow = el(
    'div',
    { class: 'head-row', role: 'row', 'aria-rowindex': 1 },
    el('div', { class: 'head-cell cell-select', role: 'columnheader' }, selectOnScreen),
  );
  for (const column of COLUMNS) {
    const arrow = el('span', { class: 'sort-arrow', 'aria-hidden': 'true' });
    const button = el(
      'button',
      { type: 'button', class: 'sort', 'data-column': column },
      el('span', { class: 'sort-label' }, COLUMN_LABELS[column]),
      arrow,
    );
    button.addEventListener('click', () => options.onSort(column));
    const header = el('div', { class: `head-cell cell-${column}`, role: 'columnheader', 'aria-sort': 'none' }, button);
    headRow.append(header);
    sortButtons.set(column, { header, arrow });
  }

  const body = el('div', { class: 'table-body', role: 'rowgroup' });
  const scroller = el(
    'div',
    { class: 'table-scroller', role: 'table', 'aria-label': 'Users', 'aria-rowcount': 1, tabindex: 0 },
    el('div', { class: 'table-head', role: 'rowgroup' }, headRow),
    body,
  );
  const empty = el('p', { class: 'table-empty', hidden: true }, 'No users match these filters.');
  const element = el('div', { class: 'table-area' }, scroller, empty);

  const pool: RowNode[] = [];
  let count = 0;
  let selectedId: ProfileId | undefined;
  /** The view's position in row pixels: the source of truth when the spacer is scaled. */
  let rowTop = 0;
  /** The scrollTop this code last set or saw, to tell our own scroll events from the user's. */
  let knownScrollTop = 0;
  let spacerHeight = -1;
  let pictureTimer: ReturnType<typeof setTimeout> | undefined;
  /** The position of the row whose checkbox was clicked last: where a Shift+click range starts. */
  let anchor: number | undefined;

  function viewportHeight(): number {
    // Before the first layout (and in tests without layout) the window's height is a fair guess.
    const height = scroller.clientHeight || window.innerHeight;
    return Math.max(0, height - HEADER_HEIGHT);
  }

  function currentGeometry(): Geometry {
    return geometry(count, ROW_HEIGHT, viewportHeight(), maxSpacerHeight);
  }

  /**
   * Takes a scroll made outside this code (the scroll bar; native scrolling when nothing is
   * scaled) into rowTop. Our own scrollTop writes are recognised and skipped, so the exact
   * position the wheel or the keyboard set is not rounded away by the mapping.
   */
  function syncRowTop(g: Geometry, scrollTop: number): void {
    if (!isScaled(g) || Math.abs(scrollTop - knownScrollTop) >= 1) {
      rowTop = rowTopForScrollTop(g, scrollTop);
    }
    knownScrollTop = scrollTop;
    rowTop = clampRowTop(g, rowTop);
  }

  function render(): void {
    const g = currentGeometry();
    const m = metrics(g);
    if (m.spacerHeight !== spacerHeight) {
      spacerHeight = m.spacerHeight;
      body.style.height = `${spacerHeight}px`;
    }
    const scrollTop = scroller.scrollTop;
    syncRowTop(g, scrollTop);
    const range = visibleRange(g, rowTop, OVERSCAN);
    if (range.last >= range.first) {
      cache.ensure(Math.max(0, range.first - PREFETCH_ROWS), Math.min(count - 1, range.last + PREFETCH_ROWS));
    }
    const needed = Math.max(0, range.last - range.first + 1);
    let picturesNeeded = false;
    while (pool.length < needed) {
      const node = createRowNode();
      pool.push(node);
      body.append(node.element);
    }
    for (let slot = 0; slot < pool.length; slot += 1) {
      const node = pool[slot];
      if (node === undefined) continue;
      if (slot >= needed) {
        node.element.hidden = true;
        node.index = -1;
        continue;
      }
      const index = range.first + slot;
      const row = cache.row(index);
      node.element.hidden = false;
      if (node.index !== index) {
        node.index = index;
        node.element.setAttribute('aria-rowindex', String(index + 2));
      }
      if (node.row !== row) fillRow(node, row);
      showAvatar(node, row === undefined ? undefined : pictures?.get(row.id));
      if (row !== undefined && pictures?.needs(row.id) === true) picturesNeeded = true;
      node.element.classList.toggle('is-selected', row !== undefined && row.id === selectedId);
      const checked = row !== undefined && selection.has(row.id);
      if (node.check.checked !== checked) node.check.checked = checked;
      node.element.classList.toggle('is-checked', checked);
      // Whole pixels keep text crisp; every row has the same fraction, so all round alike.
      const top = Math.round(rowOffset(g, index, rowTop, scrollTop));
      if (top !== node.top) {
        node.top = top;
        node.element.style.top = `${top}px`;
      }
    }
    if (picturesNeeded) schedulePictures();
    showSelectOnScreen(g);
  }

  /** The loaded rows inside the viewport (not the overscan beyond its edges). */
  function rowsOnScreen(g: Geometry): ProfileRow[] {
    const range = visibleRange(g, rowTop, 0);
    return range.last < range.first ? [] : cache.loadedRows(range.first, range.last);
  }

  /** The header's checkbox: checked when every row on screen is, mixed when some row anywhere is. */
  function showSelectOnScreen(g: Geometry): void {
    const rows = rowsOnScreen(g);
    const checked = rows.filter((row) => selection.has(row.id)).length;
    const all = rows.length > 0 && checked === rows.length;
    selectOnScreen.checked = all;
    selectOnScreen.indeterminate = !all && !selection.isEmpty;
    selectOnScreen.disabled = rows.length === 0;
  }

  const loadedIds = (): ProfileId[] => cache.loadedRows().map((row) => row.id);

  selectOnScreen.addEventListener('click', () => {
    const g = currentGeometry();
    const ids = rowsOnScreen(g).map((row) => row.id);
    const all = ids.length > 0 && ids.every((id) => selection.has(id));
    selection.set(ids, !all, loadedIds);
    showSelectOnScreen(g);
  });

  /** Asks, a moment from now, for the pictures of the rows then in view. */
  function schedulePictures(): void {
    if (pictureTimer !== undefined || options.signal?.aborted === true) return;
    pictureTimer = setTimeout(() => {
      pictureTimer = undefined;
      if (pictures === undefined || options.signal?.aborted === true) return;
      const ids: ProfileId[] = [];
      for (const node of pool) {
        if (!node.element.hidden && node.row !== undefined) ids.push(node.row.id);
      }
      pictures.request(ids);
    }, PICTURE_DELAY);
  }
  options.signal?.addEventListener('abort', () => clearTimeout(pictureTimer));

  /** Puts the view at a position in row pixels, and the scroll bar where that maps to. */
  function scrollToRowTop(target: number): void {
    const g = currentGeometry();
    rowTop = clampRowTop(g, target);
    scroller.scrollTop = scrollTopForRowTop(g, rowTop);
    knownScrollTop = scroller.scrollTop;
    render();
  }

  // Rendering right in the scroll event (not a frame later) keeps the rows in step with the
  // scroll bar; a render is a few dozen text writes at most.
  scroller.addEventListener('scroll', () => render());

  scroller.addEventListener(
    'wheel',
    (event) => {
      const g = currentGeometry();
      if (!isScaled(g) || event.ctrlKey || Math.abs(event.deltaX) > Math.abs(event.deltaY)) return;
      event.preventDefault();
      const unit = event.deltaMode === 1 ? ROW_HEIGHT : event.deltaMode === 2 ? g.viewportHeight : 1;
      scrollToRowTop(rowTop + event.deltaY * unit);
    },
    { passive: false },
  );

  scroller.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const page = Math.max(ROW_HEIGHT, viewportHeight() - ROW_HEIGHT);
    const moves: Record<string, () => number> = {
      PageDown: () => rowTop + page,
      PageUp: () => rowTop - page,
      ArrowDown: () => rowTop + ROW_HEIGHT,
      ArrowUp: () => rowTop - ROW_HEIGHT,
      Home: () => 0,
      End: () => Number.MAX_SAFE_INTEGER,
    };
    const move = moves[event.key];
    if (move === undefined) return;
    event.preventDefault();
    scrollToRowTop(move());
  });

  /** A row's checkbox was clicked: that row, or with Shift the range from the last one clicked. */
  function clickCheck(check: Element, shiftKey: boolean): void {
    const node = pool.find((n) => n.check === check);
    const row = node?.row;
    if (node === undefined || row === undefined) return;
    const checked = !selection.has(row.id);
    let ids = [row.id];
    if (shiftKey && anchor !== undefined && anchor !== node.index) {
      // A range may reach past the pages the table holds (a jump of the scroll bar leaves gaps,
      // the cache drops pages far away): it takes the loaded rows only, as the ids of the others
      // are not known here. "Select all N matching" is the way to take every row.
      ids = cache.loadedRows(Math.min(anchor, node.index), Math.max(anchor, node.index)).map((r) => r.id);
      if (!ids.includes(row.id)) ids.push(row.id);
    }
    anchor = node.index;
    selection.set(ids, checked, loadedIds);
    node.check.checked = selection.has(row.id);
  }

  // Shift+click would also select the text between the two rows.
  body.addEventListener('mousedown', (event) => {
    if (event.shiftKey && event.target instanceof Element && event.target.matches('input.row-check')) event.preventDefault();
  });

  body.addEventListener('click', (event) => {
    const target = event.target;
    if (!(target instanceof Element)) return;
    if (target.matches('input.row-check')) {
      clickCheck(target, event instanceof MouseEvent && event.shiftKey);
      return;
    }
    const button = target.closest('button.username');
    const rowElement = button?.closest('.row');
    const row = rowElement ? pool.find((n) => n.element === rowElement)?.row : undefined;
    if (button instanceof HTMLElement && row !== undefined) options.onOpen(row.id, button);
  });

  // A new height changes the scroll mapping: put the scroll bar back where the rows are.
  window.addEventListener('resize', () => scrollToRowTop(rowTop), options.signal ? { signal: options.signal } : {});

  return {
    element,
    setCount(next) {
      count = Math.max(0, next);
      scroller.setAttribute('aria-rowcount', String(count + 1));
      empty.hidden = count > 0;
      // The scale may have changed with the count: keep the rows in view, move the scroll bar.
      scrollToRowTop(rowTop);
    },
    setSort(sort) {
      for (const [column, { header, arrow }] of sortButtons) {
        const active = column === sort.column;
        header.setAttribute('aria-sort', active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none');
        header.classList.toggle('is-sorted', active);
        setText(arrow, active ? (sort.direction === 'asc' ? '▲' : '▼') : '');
      }
    },
    setSelected(id) {
      selectedId = id;
      render();
    },
    clearSelection() {
      anchor = undefined;
      selection.clear();
      render();
    },
    scrollToTop() {
      scrollToRowTop(0);
    },
    render,
    focus() {
      scroller.focus();
    },
  };
}
