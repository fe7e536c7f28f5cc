import { describe, expect, it } from 'vitest';

import type { ProfileId } from './bindings/ProfileId';
import { createDetailsPanel } from './details';
import { FAKE_NOW, FakeBackend, HISTORY_NOT_SIGNED_IN, HISTORY_OFFLINE, fakeId } from './testing/fakeBackend';
import { mount, press, query, waitFor } from './testing/harness';

/** Index 1's profile: Ada Tester 0000001, phone +14155550001, location London, UK. */
const INDEX = 1;
const ID = fakeId(INDEX);
const ACME = { serverUrl: 'https://users.example.com', workspace: 'Acme', manager: 'ada@example.com', role: 'admin' };

async function openDetails(backend: FakeBackend, id: ProfileId = ID, appOptions = {}): Promise<{ root: HTMLElement; panel: HTMLElement }> {
  const { root } = mount(backend, appOptions);
  const row = await waitFor(() => root.querySelector<HTMLElement>(`.row[data-id="${id}"]`));
  query<HTMLButtonElement>(row, 'button.username').click();
  const panel = query(root, 'section#details');
  await waitFor(() => panel.getAttribute('aria-busy') === null && query(panel, '#details-history').getAttribute('aria-busy') === null);
  return { root, panel };
}

async function savePhone(panel: HTMLElement, value: string): Promise<void> {
  const phone = query(panel, '.field[data-field="phone"]');
  query<HTMLButtonElement>(phone, 'button.edit').click();
  const input = query<HTMLInputElement>(phone, 'input[name="phone"]');
  input.value = value;
  press(input, 'Enter');
  await waitFor(() => phone.querySelector('input') === null);
}

/** The History's rows as text: "action | who · when | FIELD: before → after; …". */
function historyRows(panel: HTMLElement): string[] {
  return [...panel.querySelectorAll<HTMLElement>('#history .history-row')].map((row) =>
    [
      query(row, '.history-action').textContent,
      query(row, '.history-meta').textContent,
      [...row.querySelectorAll('.history-text')].map((t) => t.textContent).join('; '),
    ].join(' | '),
  );
}

function putBackButtons(panel: HTMLElement): HTMLButtonElement[] {
  return [...panel.querySelectorAll<HTMLButtonElement>('#history button.history-put-back')];
}

describe('the History in Details', () => {
  it('lists an edit made here with its values before and after, waiting to sync, under the note', async () => {
    const backend = new FakeBackend({ rows: 50 });
    const { panel } = await openDetails(backend);
    const section = query(panel, '#details-history');
    expect(query(section, 'h3#history-title').textContent).toBe('History');
    expect(backend.callsOf('profile_history').map((c) => c.args)).toEqual([{ id: ID }]);

    await savePhone(panel, '+44 20 7946 0958');
    await waitFor(() => historyRows(panel).length === 1);
    expect(historyRows(panel)).toEqual(['Edited | you · Waiting to sync | PHONE: +14155550001 → +442079460958']);
    const row = query(panel, '#history .history-row');
    expect(row.getAttribute('data-pending')).toBe('true');
    expect(query(row, '.history-pending').classList.contains('pending-mark')).toBe(true);
    expect(query(panel, '#history-note').hidden).toBe(false);
    expect(query(panel, '#history-note').textContent).toBe(HISTORY_NOT_SIGNED_IN);
    expect(query(panel, '#history-empty').hidden).toBe(true);

    const [button] = putBackButtons(panel);
    expect(button?.textContent).toBe('Put back');
    expect(button?.getAttribute('aria-label')).toBe('Put back PHONE +14155550001');
    // Reached by Tab and pressed with Enter or Space, as any button.
    expect(button?.type).toBe('button');
    expect(button?.tabIndex).toBe(0);
  });

  it('puts a value back: the field, the table row and the undo bar show it, and a new row comes on top', async () => {
    const backend = new FakeBackend({ rows: 50 });
    const { root, panel } = await openDetails(backend);
    await savePhone(panel, '+44 20 7946 0958');
    await waitFor(() => putBackButtons(panel).length === 1);
    await waitFor(() => query(root, `.row[data-id="${ID}"] .cell-phone`).textContent === '+442079460958');

    putBackButtons(panel)[0]?.click();
    await waitFor(() => historyRows(panel).length === 2);
    expect(backend.callsOf('put_back').map((c) => c.args)).toEqual([
      { id: ID, putBack: { kind: 'field', field: 'phone', value: '+14155550001' } },
    ]);
    expect(historyRows(panel)).toEqual([
      'Edited | you · Waiting to sync | PHONE: +442079460958 → +14155550001',
      'Edited | you · Waiting to sync | PHONE: +14155550001 → +442079460958',
    ]);
    expect(putBackButtons(panel).map((b) => b.getAttribute('aria-label'))).toEqual([
      'Put back PHONE +442079460958',
      'Put back PHONE +14155550001',
    ]);
    expect(query(panel, '.field[data-field="phone"] .value').textContent).toBe('+14155550001');
    expect(backend.profile(INDEX).phone).toBe('+14155550001');
    await waitFor(() => query(root, `.row[data-id="${ID}"] .cell-phone`).textContent === '+14155550001');
    // A put back is an edit like any other: Undo offers to take it back.
    await waitFor(() => query(root, '#undo-text').textContent === 'Changed PHONE of Ada Tester 0000001');
    expect(backend.callsOf('undo_available').length).toBeGreaterThanOrEqual(2);
    // The button went with the list read again: the focus stays in the History.
    expect(document.activeElement).toBe(query(panel, '#history-title'));
  });

  it('shows an empty value as a dash, a cleared field included, and puts it back', async () => {
    const backend = new FakeBackend({ rows: 50 });
    const { panel } = await openDetails(backend);
    await savePhone(panel, '');
    await waitFor(() => historyRows(panel).length === 1);
    expect(historyRows(panel)).toEqual(['Edited | you · Waiting to sync | PHONE: +14155550001 → —']);
    expect(query(panel, '#history .history-after').classList.contains('is-empty')).toBe(true);

    putBackButtons(panel)[0]?.click();
    await waitFor(() => historyRows(panel).length === 2);
    expect(historyRows(panel)[0]).toBe('Edited | you · Waiting to sync | PHONE: — → +14155550001');
    expect(putBackButtons(panel)[0]?.getAttribute('aria-label')).toBe('Put back PHONE —');
  });

  it('says "No changes yet." for a customer nobody changed', async () => {
    const { panel } = await openDetails(new FakeBackend({ rows: 50 }));
    const empty = query(panel, '#history-empty');
    expect(empty.hidden).toBe(false);
    expect(empty.textContent).toBe('No changes yet.');
    expect(query(panel, '#history').hidden).toBe(true);
    // Not signed in: the note says what the list can hold.
    expect(query(panel, '#history-note').textContent).toBe(HISTORY_NOT_SIGNED_IN);
  });

  it('shows a colleague’s change with who and when, and no note once signed in', async () => {
    const backend = new FakeBackend({ rows: 50 });
    backend.sync = { account: ACME, online: true, syncing: false, pending: 0, lastSynced: 'Jun 1, 2025 11:00', rejections: [] };
    backend.seedHistory(ID, {
      action: 'Edited',
      who: 'grace@example.com',
      when: 'Jun 1, 2025 10:12',
      pending: false,
      changes: [
        { field: 'LOCATION', before: 'Paris', after: 'London, UK', putBack: { kind: 'field', field: 'location', value: 'Paris' } },
      ],
    });
    const { panel } = await openDetails(backend);
    expect(historyRows(panel)).toEqual(['Edited | grace@example.com · Jun 1, 2025 10:12 | LOCATION: Paris → London, UK']);
    expect(query(panel, '#history .history-row').getAttribute('data-pending')).toBe('false');
    expect(panel.querySelector('#history .history-pending')).toBeNull();
    expect(query(panel, '#history-note').hidden).toBe(true);
    expect(putBackButtons(panel)[0]?.getAttribute('aria-label')).toBe('Put back LOCATION Paris');
  });

  it('says when the server could not be reached', async () => {
    const backend = new FakeBackend({ rows: 50 });
    backend.sync = { account: ACME, online: false, syncing: false, pending: 0, rejections: [] };
    const { panel } = await openDetails(backend);
    expect(query(panel, '#history-note').hidden).toBe(false);
    expect(query(panel, '#history-note').textContent).toBe(HISTORY_OFFLINE);
  });

  it('lists the Active option’s change without a Put back, and puts a status back from the server’s record', async () => {
    const backend = new FakeBackend({ rows: 50 });
    const { panel } = await openDetails(backend);
    const active = query<HTMLInputElement>(panel, '#details-active');
    active.checked = false;
    active.dispatchEvent(new Event('change', { bubbles: true }));
    await waitFor(() => historyRows(panel).length === 1);
    expect(historyRows(panel)).toEqual(['Archived | you · Waiting to sync | STATUS: — → Archived']);
    expect(putBackButtons(panel)).toHaveLength(0);

    backend.seedHistory(ID, {
      action: 'Activated',
      who: 'grace@example.com',
      when: 'Jun 1, 2025 10:12',
      pending: false,
      changes: [{ field: 'STATUS', before: 'Archived', after: 'Active', putBack: { kind: 'active', active: false } }],
    });
    active.checked = true;
    active.dispatchEvent(new Event('change', { bubbles: true }));
    await waitFor(() => historyRows(panel).length === 3);
    const [button] = putBackButtons(panel);
    expect(button?.getAttribute('aria-label')).toBe('Put back STATUS Archived');
    button?.click();
    await waitFor(() => historyRows(panel).length === 4);
    expect(backend.callsOf('put_back').at(-1)?.args).toEqual({ id: ID, putBack: { kind: 'active', active: false } });
    expect(query(panel, '#details-status').textContent).toBe('Archived');
    expect(active.checked).toBe(false);
    expect(historyRows(panel)[0]).toBe('Archived | you · Waiting to sync | STATUS: — → Archived');
  });

  it('shows why a put back was refused, and keeps its button', async () => {
    const backend = new FakeBackend({ rows: 50 });
    const { root, panel } = await openDetails(backend);
    await savePhone(panel, '+44 20 7946 0958');
    await waitFor(() => putBackButtons(panel).length === 1);

    backend.failNext('put_back', { code: 'validation', message: 'phone: is not a valid number for its country', fields: [] });
    const button = putBackButtons(panel)[0];
    button?.click();
    const refusal = query(panel, '#history-error');
    await waitFor(() => !refusal.hidden);
    expect(refusal.getAttribute('role')).toBe('alert');
    expect(refusal.textContent).toBe('Phone: is not a valid number for its country');
    expect(button?.isConnected).toBe(true);
    expect(button?.disabled).toBe(false);
    expect(document.activeElement).toBe(button);
    expect(historyRows(panel)).toHaveLength(1);
    expect(query(panel, '.field[data-field="phone"] .value').textContent).toBe('+442079460958');
    expect(query(root, '#error-banner').hidden).toBe(true);

    // Another try clears the refusal.
    button?.click();
    await waitFor(() => historyRows(panel).length === 2);
    expect(refusal.hidden).toBe(true);
  });

  it('shows a History that cannot be read in the error banner', async () => {
    const backend = new FakeBackend({ rows: 50 });
    backend.failNext('profile_history', { code: 'storage', message: 'the store could not be read', fields: [] });
    const { root, panel } = await openDetails(backend);
    const banner = query(root, '#error-banner');
    await waitFor(() => !banner.hidden);
    expect(query(banner, '.message').textContent).toBe('the store could not be read');
    expect(historyRows(panel)).toEqual([]);
  });

  it('reads the History again after an undo, whose own edit shows on top', async () => {
    const backend = new FakeBackend({ rows: 50 });
    const { root, panel } = await openDetails(backend);
    await savePhone(panel, '+44 20 7946 0958');
    await waitFor(() => historyRows(panel).length === 1);
    const undo = query<HTMLButtonElement>(root, '#undo-button');
    await waitFor(() => !query(root, '#undo-bar').hidden && !undo.hidden);
    undo.click();
    await waitFor(() => historyRows(panel).length === 2);
    expect(historyRows(panel)[0]).toBe('Edited | you · Waiting to sync | PHONE: +442079460958 → +14155550001');
  });

  it('reads the History again when a sync completes: the edits are on the server now', async () => {
    const backend = new FakeBackend({ rows: 50 });
    backend.now = () => FAKE_NOW;
    backend.sync = { account: ACME, online: true, syncing: false, pending: 0, lastSynced: 'Jun 1, 2025 11:00', rejections: [] };
    const { root, panel } = await openDetails(backend, ID, { syncPollInterval: 20 });
    await savePhone(panel, '+44 20 7946 0958');
    await waitFor(() => historyRows(panel).length === 1);
    expect(historyRows(panel)[0]).toBe('Edited | you · Waiting to sync | PHONE: +14155550001 → +442079460958');

    const syncNow = await waitFor(() => {
      const button = query<HTMLButtonElement>(root, '#sync-now');
      return !button.hidden && !button.disabled && button;
    });
    syncNow.click();
    await waitFor(() => panel.querySelector('#history .history-pending') === null);
    expect(historyRows(panel)).toEqual(['Edited | you · Jun 1, 2025 12:00 | PHONE: +14155550001 → +442079460958']);
  });

  it('lists a move to the Trash and back, without Put back', async () => {
    const backend = new FakeBackend({ rows: 50 });
    await backend.deleteProfiles({ kind: 'ids', ids: [ID] });
    await backend.restoreProfiles({ kind: 'ids', ids: [ID] });
    const { panel } = await openDetails(backend);
    expect(historyRows(panel)).toEqual([
      'Restored from the Trash | you · Waiting to sync | TRASH: In the Trash → —',
      'Moved to the Trash | you · Waiting to sync | TRASH: — → In the Trash',
    ]);
    expect(putBackButtons(panel)).toHaveLength(0);
  });

  it('empties when another customer opens, and shows theirs', async () => {
    const backend = new FakeBackend({ rows: 50 });
    const { root, panel } = await openDetails(backend);
    await savePhone(panel, '+44 20 7946 0958');
    await waitFor(() => historyRows(panel).length === 1);
    const other = fakeId(2);
    query<HTMLButtonElement>(root, `.row[data-id="${other}"] button.username`).click();
    await waitFor(() => backend.callsOf('profile_history').at(-1)?.args['id'] === other && query(panel, '#history-empty').hidden === false);
    expect(historyRows(panel)).toEqual([]);
  });
});

describe('opening Details at its History', () => {
  it('scrolls to the History and focuses its title once everything is read', async () => {
    const backend = new FakeBackend({ rows: 10 });
    document.body.replaceChildren();
    const panel = createDetailsPanel({
      backend,
      onSaved: () => undefined,
      onStatusChanged: () => undefined,
      onNotesChanged: () => undefined,
      onPropertyValueChanged: () => undefined,
      onPropertyCreated: () => undefined,
      onOpenSegment: () => undefined,
      onSegmentMembersChanged: () => undefined,
      onError: (error) => {
        throw error;
      },
      onClose: () => undefined,
    });
    document.body.append(panel.element);
    await panel.open(ID, undefined, { section: 'history' });
    expect(document.activeElement).toBe(query(panel.element, '#history-title'));
    expect(query(panel.element, '#history-title').tabIndex).toBe(-1);

    // An ordinary opening focuses the name, as before.
    await panel.open(fakeId(2));
    expect(document.activeElement).toBe(query(panel.element, '#details-name'));
  });
});
