import { describe, expect, it } from 'vitest';

import type { ProfileId } from './bindings/ProfileId';
import { profileId } from './ids';
import { RowSelection } from './selection';

/** Profile ids from the test's short literals. */
const profileIds = (...raw: string[]): ProfileId[] => raw.map(profileId);

const FILTER = { status: 'active' as const, lastSeen: 'any' as const, search: '' };

describe('RowSelection', () => {
  it('keeps the ids picked, and tells of each change', () => {
    let changes = 0;
    const selection = new RowSelection(() => (changes += 1));
    expect(selection.isEmpty).toBe(true);
    expect(selection.toSelection()).toBeUndefined();

    selection.set(profileIds('a', 'b'), true);
    selection.set(profileIds('b'), true);
    expect(changes).toBe(1);
    expect(selection.size).toBe(2);
    expect(selection.has(profileId('a'))).toBe(true);
    expect(selection.toSelection()).toEqual({ kind: 'ids', ids: ['a', 'b'] });

    selection.set(profileIds('a'), false);
    expect(selection.toSelection()).toEqual({ kind: 'ids', ids: ['b'] });
    selection.clear();
    selection.clear();
    expect(changes).toBe(3);
    expect(selection.isEmpty).toBe(true);
  });

  it('selects every customer matching a filter, kept as the filter', () => {
    const selection = new RowSelection(() => undefined);
    selection.set(profileIds('a'), true);
    selection.selectAllMatching(FILTER, 1_000_000);
    expect(selection.isAllMatching).toBe(true);
    expect(selection.size).toBe(1_000_000);
    expect(selection.has(profileId('anyone'))).toBe(true);
    expect(selection.toSelection()).toEqual({ kind: 'filter', filter: FILTER });

    selection.setMatchingCount(999_997);
    expect(selection.size).toBe(999_997);
    // Checking a row changes nothing: it is selected already.
    selection.set(profileIds('z'), true, () => profileIds('x'));
    expect(selection.isAllMatching).toBe(true);
  });

  it('turns "all matching" into the loaded rows minus the one unchecked', () => {
    let changes = 0;
    const selection = new RowSelection(() => (changes += 1));
    selection.selectAllMatching(FILTER, 500);
    selection.set(profileIds('b'), false, () => profileIds('a', 'b', 'c'));
    expect(changes).toBe(2);
    expect(selection.isAllMatching).toBe(false);
    expect(selection.toSelection()).toEqual({ kind: 'ids', ids: ['a', 'c'] });
  });
});
