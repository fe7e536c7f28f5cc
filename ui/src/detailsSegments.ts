// The Details window's Segments section: the segments the customer belongs to, each a button that
// opens All users filtered to it. Hidden when the customer belongs to none.

import type { Backend } from './api';
import type { ProfileId } from './bindings/ProfileId';
import type { SegmentRef } from './bindings/SegmentRef';
import { clear, el } from './dom';
import { latestOnly } from './latest';

export interface DetailsSegmentsOptions {
  readonly backend: Backend;
  /** A segment was clicked. */
  readonly onOpen: (segment: SegmentRef) => void;
  readonly onError: (error: unknown) => void;
}

export interface DetailsSegments {
  readonly element: HTMLElement;
  load(profileId: ProfileId): Promise<void>;
  reset(): void;
}

export function createDetailsSegments(options: DetailsSegmentsOptions): DetailsSegments {
  const list = el('ul', { class: 'segment-chips', 'aria-label': 'Segments of this user' });
  const element = el(
    'section',
    { id: 'details-segments', class: 'details-section', 'data-section': 'segments', hidden: true },
    el('h3', { class: 'section-title' }, 'Segments'),
    list,
  );

  let profileId: ProfileId | undefined;
  const reads = latestOnly();

  function render(segments: readonly SegmentRef[]): void {
    clear(list);
    element.hidden = segments.length === 0;
    for (const segment of segments) {
      const button = el(
        'button',
        { type: 'button', class: 'details-segment', 'data-segment-id': segment.id, title: `Show every user in ${segment.name}` },
        segment.name,
      );
      button.addEventListener('click', () => options.onOpen(segment));
      list.append(el('li', {}, button));
    }
  }

  return {
    element,
    async load(id) {
      if (profileId !== id) render([]);
      profileId = id;
      const ticket = reads.begin();
      try {
        const segments = await options.backend.profileSegments(id);
        if (ticket.isCurrent() && profileId === id) render(segments);
      } catch (error) {
        if (ticket.isCurrent()) options.onError(error);
      }
    },
    reset() {
      profileId = undefined;
      reads.drop();
      render([]);
    },
  };
}
