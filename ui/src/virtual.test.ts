import { describe, expect, it } from 'vitest';

import {
  MAX_SPACER_HEIGHT,
  geometry,
  isScaled,
  maxRenderedRows,
  metrics,
  rowOffset,
  rowTopForScrollTop,
  scrollTopForRowTop,
  visibleRange,
} from './virtual';

const ROW = 32;
const VIEWPORT = 700;
const MILLION = 1_000_000;

describe('a list of 1,000,000 rows of 32 px', () => {
  const g = geometry(MILLION, ROW, VIEWPORT);
  const m = metrics(g);

  it('keeps the spacer under the cap, and so maps scroll positions proportionally', () => {
    expect(m.rowsHeight).toBe(32_000_000);
    expect(m.spacerHeight).toBe(MAX_SPACER_HEIGHT);
    expect(m.spacerHeight).toBeLessThanOrEqual(MAX_SPACER_HEIGHT);
    expect(isScaled(g)).toBe(true);
  });

  it('shows the first rows at the top', () => {
    const rowTop = rowTopForScrollTop(g, 0);
    expect(rowTop).toBe(0);
    expect(visibleRange(g, rowTop)).toEqual({ first: 0, last: Math.ceil(VIEWPORT / ROW) - 1 });
    expect(rowOffset(g, 0, rowTop, 0)).toBe(0);
  });

  it('shows the middle rows half way down', () => {
    const rowTop = rowTopForScrollTop(g, m.maxScrollTop / 2);
    const { first, last } = visibleRange(g, rowTop);
    const middle = (MILLION * ROW - VIEWPORT) / 2 / ROW;
    expect(first).toBe(Math.floor(middle));
    expect(last).toBe(Math.ceil(middle + VIEWPORT / ROW) - 1);
    expect(last - first + 1).toBeLessThanOrEqual(Math.ceil(VIEWPORT / ROW) + 1);
  });

  it('shows the very last row, flush with the bottom, when scrolled to the end', () => {
    const scrollTop = m.maxScrollTop;
    const rowTop = rowTopForScrollTop(g, scrollTop);
    const { first, last } = visibleRange(g, rowTop);
    expect(last).toBe(MILLION - 1);
    expect(first).toBe(MILLION - Math.ceil(VIEWPORT / ROW));
    // Bottom edge of the last row == bottom edge of the visible part of the spacer.
    expect(rowOffset(g, last, rowTop, scrollTop) + ROW).toBeCloseTo(scrollTop + VIEWPORT, 6);
    expect(scrollTop + VIEWPORT).toBeLessThanOrEqual(m.spacerHeight);
  });

  it('clamps positions past either end', () => {
    expect(rowTopForScrollTop(g, -50)).toBe(0);
    expect(rowTopForScrollTop(g, m.spacerHeight * 2)).toBe(m.maxRowTop);
    expect(visibleRange(g, Number.MAX_SAFE_INTEGER).last).toBe(MILLION - 1);
  });

  it('round-trips between scroll and row positions', () => {
    for (const rowTop of [0, 1234.5, 16_000_000, m.maxRowTop]) {
      expect(rowTopForScrollTop(g, scrollTopForRowTop(g, rowTop))).toBeCloseTo(rowTop, 3);
    }
  });

  it('widens the range by the overscan, within the list', () => {
    expect(visibleRange(g, 0, 5).first).toBe(0);
    expect(visibleRange(g, 100 * ROW, 5)).toEqual({ first: 95, last: 100 + Math.ceil(VIEWPORT / ROW) - 1 + 5 });
    expect(visibleRange(g, m.maxRowTop, 5).last).toBe(MILLION - 1);
  });

  it('needs only a screenful of row nodes', () => {
    expect(maxRenderedRows(g, 6)).toBe(Math.ceil(VIEWPORT / ROW) + 1 + 12);
  });

  it('keeps the spacer under a smaller cap too', () => {
    const small = geometry(MILLION, ROW, VIEWPORT, 1_000_000);
    expect(metrics(small).spacerHeight).toBe(1_000_000);
    const rowTop = rowTopForScrollTop(small, metrics(small).maxScrollTop);
    expect(visibleRange(small, rowTop).last).toBe(MILLION - 1);
  });
});

describe('a list shorter than the cap', () => {
  const g = geometry(1000, ROW, VIEWPORT);

  it('scrolls one to one', () => {
    expect(isScaled(g)).toBe(false);
    expect(metrics(g).spacerHeight).toBe(32_000);
    expect(rowTopForScrollTop(g, 4321)).toBe(4321);
    expect(scrollTopForRowTop(g, 4321)).toBe(4321);
    // Rows sit at their natural place, so native scrolling moves them without a re-render.
    expect(rowOffset(g, 500, 4321, 4321)).toBe(500 * ROW);
  });

  it('shows the last row at the bottom', () => {
    const m = metrics(g);
    expect(visibleRange(g, rowTopForScrollTop(g, m.maxScrollTop)).last).toBe(999);
  });
});

describe('edge cases', () => {
  it('renders nothing for an empty list', () => {
    const g = geometry(0, ROW, VIEWPORT);
    const range = visibleRange(g, 0);
    expect(range.last).toBeLessThan(range.first);
    expect(metrics(g).spacerHeight).toBe(0);
    expect(maxRenderedRows(g, 6)).toBe(0);
  });

  it('handles a list shorter than the viewport', () => {
    const g = geometry(3, ROW, VIEWPORT);
    expect(visibleRange(g, 500, 6)).toEqual({ first: 0, last: 2 });
    expect(rowTopForScrollTop(g, 100)).toBe(0);
  });
});
