// The Details window's Segments section: the segments the customer belongs to, each a button that
// opens All users filtered to it, and beside a segment the customer was added to by hand, a button
// that takes them out of it. Hidden when the customer belongs to none.

import { refusalText, type Backend } from './api';
import type { ProfileId } from './bindings/ProfileId';
import type { SegmentRef } from './bindings/SegmentRef';
import { clear, el, setText } from './dom';
import { closeIcon } from './icons';
import { latestOnly } from './latest';

export interface DetailsSegmentsOptions {
  readonly backend: Backend;
  /** A segment was clicked. */
  readonly onOpen: (segment: SegmentRef) => void;
  /** The customer was taken out of a segment: its members changed. */
  readonly onRemoved: () => void;
  readonly onError: (error: unknown) => void;
}

export interface DetailsSegments {
  readonly element: HTMLElement;
  load(profileId: ProfileId): Promise<void>;
  reset(): void;
}

export function createDetailsSegments(options: DetailsSegmentsOptions): DetailsSegments {
  const list = el('ul', { class: 'segment-chips', 'aria-label': 'Segments of this user' });
  const refusal = el('p', { id: 'details-segments-error', class: 'field-error', role: 'alert', hidden: true });
  const element = el(
    'section',
    { id: 'details-segments', class: 'details-section', 'data-section': 'segments', hidden: true },
    el('h3', { class: 'section-title' }, 'Segments'),
    list,
    refusal,
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
      const item = el('li', { class: 'segment-chip' }, button);
      if (segment.handpicked === true) {
        const remove = el(
          'button',
          {
            type: 'button',
            class: 'icon-button segment-remove',
            'aria-label': `Remove from ${segment.name}`,
            title: `Remove from segment ${segment.name}`,
          },
          closeIcon(),
        );
        remove.addEventListener('click', () => void removeFrom(segment, remove));
        item.append(remove);
      }
      list.append(item);
    }
  }

  /** Takes the customer out of a segment they were added to by hand. */
  async function removeFrom(segment: SegmentRef, button: HTMLButtonElement): Promise<void> {
    const id = profileId;
    if (id === undefined || button.disabled) return;
    button.disabled = true;
    refusal.hidden = true;
    try {
      await options.backend.removeFromSegment(segment.id, { kind: 'ids', ids: [id] });
      options.onRemoved();
      if (profileId === id) await load(id);
    } catch (error) {
      button.disabled = false;
      refusal.hidden = false;
      setText(refusal, refusalText(error));
    }
  }

  async function load(id: ProfileId): Promise<void> {
    if (profileId !== id) {
      render([]);
      refusal.hidden = true;
    }
    profileId = id;
    const ticket = reads.begin();
    try {
      const segments = await options.backend.profileSegments(id);
      if (ticket.isCurrent() && profileId === id) render(segments);
    } catch (error) {
      if (ticket.isCurrent()) options.onError(error);
    }
  }

  return {
    element,
    load,
    reset() {
      profileId = undefined;
      reads.drop();
      render([]);
      refusal.hidden = true;
    },
  };
}
