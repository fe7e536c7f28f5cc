import { describe, expect, it } from 'vitest';

import type { Backend } from './api';
import {
  goalCompletionId,
  goalId,
  jobId,
  messageId,
  noteId,
  profileId,
  propertyId,
  requestId,
  segmentId,
  sessionId,
} from './ids';

describe('typed ids', () => {
  it('cannot be swapped: one kind of id where another is expected fails type-checking', () => {
    const profile = profileId('00000000-0000-7000-8000-000000000001');
    const note = noteId('note-1');
    const property = propertyId('property-1');
    // Never called: each line is there for `tsc`, which must refuse every line marked below. If the
    // ids lost their brands, the marks would be unused and `tsc` would fail on them instead.
    const uses: ((backend: Backend) => unknown)[] = [
      (backend) => backend.notes(profile),
      // @ts-expect-error a note's id is not a customer's
      (backend) => backend.notes(note),
      // @ts-expect-error a note's id is not a customer's
      (backend) => backend.profileDetails(note),
      // @ts-expect-error a plain string is not a customer's id
      (backend) => backend.profileDetails('00000000-0000-7000-8000-000000000001'),
      (backend) => backend.editNote(note, 'text'),
      // @ts-expect-error a customer's id is not a note's
      (backend) => backend.editNote(profile, 'text'),
      (backend) => backend.setProfileProperty(profile, property, 'Pro'),
      // @ts-expect-error the customer and the property swapped
      (backend) => backend.setProfileProperty(property, profile, 'Pro'),
      // @ts-expect-error a note's id among the customers'
      (backend) => backend.profilePictures([profile, note]),
      // @ts-expect-error a note's id in a selection of customers
      (backend) => backend.deleteProfiles({ kind: 'ids', ids: [note] }),
    ];
    expect(uses).toHaveLength(10);
  });

  it('are their strings unchanged at run time', () => {
    const raw = '01890a5d-ac96-774b-bcce-b302099a8057';
    for (const convert of [profileId, noteId, propertyId, segmentId, sessionId, jobId, goalId, goalCompletionId, messageId, requestId]) {
      expect(convert(raw)).toBe(raw);
    }
  });
});
