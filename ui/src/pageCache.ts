// Pages of the All users table, fetched on demand as the table scrolls.
//
// Page k holds rows [k × pageSize, (k + 1) × pageSize) of the current query. Walking down the
// list, page k is asked for with page k−1's `next` cursor (keyset pagination: the database seeks
// straight to it). After a jump of the scroll bar there is no neighbour to continue from, so the
// page is asked for by offset from the top, which the database has to count through; the pages
// after it are then keyset again.

import type { Cursor } from './bindings/Cursor';
import type { ListRequest } from './bindings/ListRequest';
import type { ProfileFilter } from './bindings/ProfileFilter';
import type { ProfileId } from './bindings/ProfileId';
import type { ProfilePage } from './bindings/ProfilePage';
import type { ProfileRow } from './bindings/ProfileRow';
import type { SortOrder } from './bindings/SortOrder';

export const PAGE_SIZE = 100;
export const PAGE_CAPACITY = 50;

export interface Query {
  readonly filter: ProfileFilter;
  readonly sort: SortOrder;
}

export type FetchPage = (request: ListRequest) => Promise<ProfilePage>;

export interface PageCacheOptions {
  readonly pageSize?: number;
  /** Pages kept; the least recently used beyond this are dropped. */
  readonly capacity?: number;
  /** A page of the current query arrived. */
  readonly onLoad?: (page: number) => void;
  /** A page of the current query failed to load. */
  readonly onError?: (error: unknown) => void;
}

interface Page {
  readonly rows: ProfileRow[];
  readonly next: Cursor | undefined;
}

export class PageCache {
  readonly pageSize: number;
  private readonly capacity: number;
  private readonly fetchPage: FetchPage;
  private readonly onLoad: ((page: number) => void) | undefined;
  private readonly onError: ((error: unknown) => void) | undefined;

  private query: Query | undefined;
  /** Bumped whenever the query changes or the rows are refreshed; older answers are dropped. */
  private generation = 0;
  /** Map order is recency order: the first key is the least recently used page. */
  private readonly pages = new Map<number, Page>();
  /** After a refresh, the old pages stay on screen until their replacements arrive. */
  private stale = new Map<number, Page>();
  private readonly inFlight = new Map<number, Promise<Page | undefined>>();
  /** Not retried until the query changes or clearFailures() is called, to avoid a retry storm. */
  private readonly failed = new Set<number>();

  constructor(fetchPage: FetchPage, options: PageCacheOptions = {}) {
    this.fetchPage = fetchPage;
    this.pageSize = options.pageSize ?? PAGE_SIZE;
    this.capacity = Math.max(1, options.capacity ?? PAGE_CAPACITY);
    this.onLoad = options.onLoad;
    this.onError = options.onError;
  }

  /** Shows another query: everything cached or under way belongs to the old one. */
  setQuery(query: Query): void {
    this.query = query;
    this.generation += 1;
    this.pages.clear();
    this.stale.clear();
    this.inFlight.clear();
    this.failed.clear();
  }

  /** Fetches every page again (the rows changed, say their times' zone), keeping the old rows on
   * screen meanwhile. */
  refresh(): void {
    this.generation += 1;
    this.stale = new Map([...this.stale, ...this.pages]);
    this.pages.clear();
    this.inFlight.clear();
    this.failed.clear();
  }

  clearFailures(): void {
    this.failed.clear();
  }

  /** The row at a position, if its page is loaded. */
  row(index: number): ProfileRow | undefined {
    const pageIndex = Math.floor(index / this.pageSize);
    const page = this.pages.get(pageIndex) ?? this.stale.get(pageIndex);
    return page?.rows[index - pageIndex * this.pageSize];
  }

  /**
   * The loaded rows at positions [first, last], in order; the rows of pages not loaded (or
   * dropped from the cache) are missing. Only the pages held are visited, so a range over a
   * million positions costs no more than the cache's size.
   */
  loadedRows(first = 0, last = Number.MAX_SAFE_INTEGER): ProfileRow[] {
    const keys = [...new Set([...this.pages.keys(), ...this.stale.keys()])].sort((a, b) => a - b);
    const rows: ProfileRow[] = [];
    for (const k of keys) {
      const start = k * this.pageSize;
      if (start > last || start + this.pageSize - 1 < first) continue;
      const page = this.pages.get(k) ?? this.stale.get(k);
      page?.rows.forEach((row, i) => {
        if (start + i >= first && start + i <= last) rows.push(row);
      });
    }
    return rows;
  }

  /** Where a loaded row is, by its customer's id (`undefined`: not among the loaded rows). */
  indexOf(id: ProfileId): number | undefined {
    for (const [k, page] of [...this.pages.entries(), ...this.stale.entries()]) {
      const at = page.rows.findIndex((r) => r.id === id);
      if (at >= 0) return k * this.pageSize + at;
    }
    return undefined;
  }

  /** A loaded row by its customer's id. */
  rowById(id: ProfileId): ProfileRow | undefined {
    for (const page of [...this.pages.values(), ...this.stale.values()]) {
      const row = page.rows.find((r) => r.id === id);
      if (row !== undefined) return row;
    }
    return undefined;
  }

  /** Starts loading every page that rows [first, last] fall in and that is not loaded yet. */
  ensure(first: number, last: number): void {
    if (this.query === undefined || last < first) return;
    const firstPage = Math.floor(Math.max(0, first) / this.pageSize);
    const lastPage = Math.floor(last / this.pageSize);
    for (let k = firstPage; k <= lastPage; k += 1) {
      const page = this.pages.get(k);
      if (page !== undefined) {
        this.touch(k, page);
      } else if (!this.inFlight.has(k) && !this.failed.has(k)) {
        this.load(k);
      }
    }
  }

  /** Replaces a row wherever it is cached (after an edit); whether it was found. */
  updateRow(row: ProfileRow): boolean {
    let found = false;
    for (const page of [...this.pages.values(), ...this.stale.values()]) {
      const at = page.rows.findIndex((r) => r.id === row.id);
      if (at >= 0) {
        page.rows[at] = row;
        found = true;
      }
    }
    return found;
  }

  /** Resolves when nothing is loading. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) {
      await Promise.all([...this.inFlight.values()]);
    }
  }

  private touch(k: number, page: Page): void {
    this.pages.delete(k);
    this.pages.set(k, page);
  }

  private store(k: number, page: Page): void {
    this.touch(k, page);
    this.stale.delete(k);
    while (this.pages.size > this.capacity) {
      const oldest = this.pages.keys().next();
      if (oldest.done === true) break;
      this.pages.delete(oldest.value);
    }
  }

  private load(k: number): void {
    const generation = this.generation;
    const promise = this.requestFor(k, generation)
      .then((request) => this.fetchPage(request))
      .then(
        (answer): Page | undefined => {
          if (generation !== this.generation) return undefined;
          this.inFlight.delete(k);
          const page: Page = { rows: answer.rows, next: answer.next };
          this.store(k, page);
          this.onLoad?.(k);
          return page;
        },
        (error: unknown): undefined => {
          if (generation !== this.generation) return undefined;
          this.inFlight.delete(k);
          this.failed.add(k);
          this.onError?.(error);
          return undefined;
        },
      );
    this.inFlight.set(k, promise);
  }

  /** Keyset from page k−1 when it is loaded (waiting for it if it is on its way), else offset. */
  private async requestFor(k: number, generation: number): Promise<ListRequest> {
    const query = this.query;
    if (query === undefined) throw new Error('no query');
    const top: ListRequest = { filter: query.filter, sort: query.sort, offset: k * this.pageSize, limit: this.pageSize };
    if (k === 0) return top;
    let previous = this.pages.get(k - 1);
    if (previous === undefined) {
      const pending = this.inFlight.get(k - 1);
      if (pending !== undefined) {
        await pending;
        if (generation === this.generation) previous = this.pages.get(k - 1);
      }
    }
    if (previous?.next === undefined) return top;
    return { ...top, after: previous.next, offset: 0 };
  }
}
