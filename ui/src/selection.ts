// The customers checked in the All users table, for the bulk actions: either ids picked one by one
// (or by a Shift+click range), or every customer matching the table's filter ("Select all N
// matching"), kept as the filter so that a million customers never become a million ids here.

import type { ProfileFilter } from './bindings/ProfileFilter';
import type { ProfileId } from './bindings/ProfileId';
import type { Selection } from './bindings/Selection';

export class RowSelection {
  private readonly picked = new Set<ProfileId>();
  private matching: { readonly filter: ProfileFilter; count: number } | undefined;
  private readonly onChange: () => void;

  /** `onChange` runs after every change, to redraw the checkboxes and the bulk bar. */
  constructor(onChange: () => void) {
    this.onChange = onChange;
  }

  /** How many customers are selected. */
  get size(): number {
    return this.matching?.count ?? this.picked.size;
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  /** Whether every customer matching the filter is selected. */
  get isAllMatching(): boolean {
    return this.matching !== undefined;
  }

  has(id: ProfileId): boolean {
    return this.matching !== undefined || this.picked.has(id);
  }

  /**
   * Checks or unchecks customers. A filter cannot leave one customer out, so unchecking while
   * every matching customer is selected turns the selection into a list: the customers of
   * `loaded()` (the rows the table has loaded, which the manager has seen checked) minus `ids`.
   * Checking then changes nothing.
   */
  set(ids: Iterable<ProfileId>, checked: boolean, loaded: () => Iterable<ProfileId> = () => []): void {
    let changed = false;
    if (this.matching !== undefined) {
      if (checked) return;
      this.matching = undefined;
      for (const id of loaded()) this.picked.add(id);
      changed = true;
    }
    for (const id of ids) {
      if (checked === this.picked.has(id)) continue;
      if (checked) this.picked.add(id);
      else this.picked.delete(id);
      changed = true;
    }
    if (changed) this.onChange();
  }

  /** Selects every customer matching `filter`: `count` of them, as the table's count says. */
  selectAllMatching(filter: ProfileFilter, count: number): void {
    this.picked.clear();
    this.matching = { filter: structuredClone(filter), count };
    this.onChange();
  }

  /** The filter's count changed (rows were deleted, a sync brought more): "all matching" follows it. */
  setMatchingCount(count: number): void {
    if (this.matching === undefined || this.matching.count === count) return;
    this.matching.count = count;
    this.onChange();
  }

  clear(): void {
    if (this.matching === undefined && this.picked.size === 0) return;
    this.matching = undefined;
    this.picked.clear();
    this.onChange();
  }

  /** The selection as the core takes it; `undefined` when nothing is selected. */
  toSelection(): Selection | undefined {
    if (this.matching !== undefined) return { kind: 'filter', filter: structuredClone(this.matching.filter) };
    if (this.picked.size === 0) return undefined;
    return { kind: 'ids', ids: [...this.picked] };
  }
}
