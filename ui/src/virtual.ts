// The maths of the virtualised table, with no DOM: which rows are in view and where they go.
//
// Browsers cap an element's height (WebKit and Blink near 33.5 million px, Firefox near 17.9
// million), and 1,000,000 rows of 32 px already reach 32 million. So the scrolling spacer is
// capped, and when the rows are taller than the cap the scroll position is mapped proportionally
// onto the rows: the top of the scroll range is the first row, the bottom is the last.
//
// Two coordinates are used:
// - scrollTop: the scroll container's position, in spacer pixels, 0..maxScrollTop;
// - rowTop ("virtual top"): the same position in row pixels (index × rowHeight), 0..maxRowTop.
// Without a cap they are equal.

/** The tallest spacer the table creates: well under every engine's limit. */
export const MAX_SPACER_HEIGHT = 10_000_000;

export interface Geometry {
  /** Rows in the list. */
  readonly count: number;
  /** Height of every row, px. */
  readonly rowHeight: number;
  /** Height of the area rows are shown in, px. */
  readonly viewportHeight: number;
  /** The cap on the spacer's height, px. */
  readonly maxSpacerHeight: number;
}

export interface Metrics {
  /** count × rowHeight: the height the rows would need. */
  readonly rowsHeight: number;
  /** The spacer's height: rowsHeight, capped. */
  readonly spacerHeight: number;
  /** The largest scrollTop. */
  readonly maxScrollTop: number;
  /** The largest rowTop: the last row's bottom is then at the viewport's bottom. */
  readonly maxRowTop: number;
}

export interface RowRange {
  /** First row index to render (inclusive). */
  readonly first: number;
  /** Last row index to render (inclusive); less than `first` when there is nothing to render. */
  readonly last: number;
}

export function geometry(
  count: number,
  rowHeight: number,
  viewportHeight: number,
  maxSpacerHeight: number = MAX_SPACER_HEIGHT,
): Geometry {
  return {
    count: Math.max(0, Math.floor(count)),
    rowHeight,
    viewportHeight: Math.max(0, viewportHeight),
    maxSpacerHeight,
  };
}

export function metrics(g: Geometry): Metrics {
  const rowsHeight = g.count * g.rowHeight;
  const spacerHeight = Math.min(rowsHeight, g.maxSpacerHeight);
  return {
    rowsHeight,
    spacerHeight,
    maxScrollTop: Math.max(0, spacerHeight - g.viewportHeight),
    maxRowTop: Math.max(0, rowsHeight - g.viewportHeight),
  };
}

/** Whether the spacer is shorter than the rows, so scroll positions are scaled. */
export function isScaled(g: Geometry): boolean {
  return g.count * g.rowHeight > g.maxSpacerHeight;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** The position in row pixels for a scroll position. */
export function rowTopForScrollTop(g: Geometry, scrollTop: number): number {
  const m = metrics(g);
  if (m.maxScrollTop <= 0) return 0;
  const top = clamp(scrollTop, 0, m.maxScrollTop);
  if (m.maxScrollTop === m.maxRowTop) return top;
  return (top / m.maxScrollTop) * m.maxRowTop;
}

/** The scroll position for a position in row pixels (the inverse of rowTopForScrollTop). */
export function scrollTopForRowTop(g: Geometry, rowTop: number): number {
  const m = metrics(g);
  if (m.maxRowTop <= 0) return 0;
  const top = clamp(rowTop, 0, m.maxRowTop);
  if (m.maxScrollTop === m.maxRowTop) return top;
  return (top / m.maxRowTop) * m.maxScrollTop;
}

/** Clamps a position in row pixels to the list. */
export function clampRowTop(g: Geometry, rowTop: number): number {
  return clamp(rowTop, 0, metrics(g).maxRowTop);
}

/** The rows at least partly inside the viewport, widened by `overscan` rows each side. */
export function visibleRange(g: Geometry, rowTop: number, overscan = 0): RowRange {
  if (g.count === 0 || g.rowHeight <= 0) return { first: 0, last: -1 };
  const top = clampRowTop(g, rowTop);
  const firstInView = Math.floor(top / g.rowHeight);
  const lastInView = Math.ceil((top + g.viewportHeight) / g.rowHeight) - 1;
  return {
    first: Math.max(0, firstInView - overscan),
    last: Math.min(g.count - 1, Math.max(firstInView, lastInView) + overscan),
  };
}

/**
 * Where row `index` goes inside the spacer, px: the visible part of the spacer starts at
 * scrollTop, and the row sits (index × rowHeight − rowTop) below that.
 */
export function rowOffset(g: Geometry, index: number, rowTop: number, scrollTop: number): number {
  return scrollTop + index * g.rowHeight - rowTop;
}

/** The most rows that can be on screen at once, plus overscan: the size of the row-node pool. */
export function maxRenderedRows(g: Geometry, overscan: number): number {
  if (g.rowHeight <= 0) return 0;
  return Math.min(g.count, Math.ceil(g.viewportHeight / g.rowHeight) + 1 + 2 * overscan);
}
