import { describe, expect, it } from 'vitest';

import type { ProfileId } from './bindings/ProfileId';
import { FakeBackend, fakeId } from './testing/fakeBackend';
import { mount, press, query, waitFor } from './testing/harness';
import { undoneText } from './undoBar';

/** Index 1's profile: Ada Tester 0000001, phone +14155550001. */
const INDEX = 1;
const ID = fakeId(INDEX);

async function openAda(backend: FakeBackend): Promise<{ root: HTMLElement; panel: HTMLElement }> {
  const { root } = mount(backend);
  const row = await waitFor(() => root.querySelector<HTMLElement>(`.row[data-id="${ID}"]`));
  query<HTMLButtonElement>(row, 'button.username').click();
  await waitFor(() => query(root, '#details-name').textContent === 'Ada Tester 0000001');
  return { root, panel: query(root, 'section#details') };
}

async function savePhone(panel: HTMLElement, value: string): Promise<void> {
  const phone = query(panel, '.field[data-field="phone"]');
  query<HTMLButtonElement>(phone, 'button.edit').click();
  const input = query<HTMLInputElement>(phone, 'input[name="phone"]');
  input.value = value;
  press(input, 'Enter');
  await waitFor(() => phone.querySelector('input') === null);
}

describe('Undo', () => {
  it('names the last edit under the table and takes it back with its button', async () => {
    const backend = new FakeBackend({ rows: 50 });
    const { root, panel } = await openAda(backend);
    const bar = query(root, '#undo-bar');
    expect(bar.hidden).toBe(true);

    await savePhone(panel, '+44 20 7946 0958');
    await waitFor(() => !bar.hidden);
    expect(query(bar, '#undo-text').textContent).toBe('Changed PHONE of Ada Tester 0000001');
    expect(query(bar, '#undo-button').textContent).toBe('Undo');

    query<HTMLButtonElement>(bar, '#undo-button').click();
    await waitFor(() => query(panel, '.field[data-field="phone"] .value').textContent === '+14155550001');
    expect(backend.profile(INDEX).phone).toBe('+14155550001');
    expect(query(bar, '#undo-text').textContent).toBe('Undone: Changed PHONE of Ada Tester 0000001.');
    expect(query(bar, '#undo-button').hidden).toBe(true);
    expect(backend.callsOf('undo')).toHaveLength(1);
  });

  it('takes back the Active option with Ctrl+Z, but leaves Ctrl+Z in a text field to the field', async () => {
    const backend = new FakeBackend({ rows: 50 });
    const { root, panel } = await openAda(backend);
    query<HTMLInputElement>(panel, '#details-active').click();
    await waitFor(() => query(panel, '#details-status').textContent === 'Archived');
    await waitFor(() => query(root, '#undo-text').textContent === 'Archived Ada Tester 0000001');

    press(query(root, '#search'), 'z', { ctrlKey: true });
    await waitFor(() => true);
    expect(backend.callsOf('undo')).toHaveLength(0);

    press(document.body, 'z', { ctrlKey: true });
    await waitFor(() => query(panel, '#details-status').textContent === 'Active');
    expect(backend.profile(INDEX).status).toBe('active');
    expect(backend.callsOf('undo')).toHaveLength(1);
    // Cmd+Z on a Mac, with nothing left: the bar says why.
    press(document.body, 'z', { metaKey: true });
    await waitFor(() => query(root, '#error-banner').hidden === false);
    expect(query(root, '#error-banner').textContent).toContain('There is nothing to undo');
  });

  it('puts a customer taken out of a segment in Details back in', async () => {
    const backend = new FakeBackend({ rows: 50 });
    backend.seedSegment({ name: 'VIP', description: '', rules: [] }, [ID]);
    const { root, panel } = await openAda(backend);
    const chips = (): string[] => [...panel.querySelectorAll('.details-segment')].map((b) => b.textContent ?? '');
    await waitFor(() => chips().length === 1);
    query<HTMLButtonElement>(panel, '.segment-remove').click();
    await waitFor(() => chips().length === 0);
    await waitFor(() => query(root, '#undo-text').textContent === 'Took 1 customer out of VIP');

    query<HTMLButtonElement>(root, '#undo-button').click();
    await waitFor(() => query(root, '#undo-text').textContent === 'Undone: Took 1 customer out of VIP.');
    await waitFor(() => chips().length === 1);
    expect(chips()).toEqual(['VIP']);
  });

  it('cancels an Archive job still waiting', async () => {
    const backend = new FakeBackend({ rows: 50 });
    const { root } = mount(backend);
    await waitFor(() => root.querySelectorAll('.row[data-id] input.row-check').length >= 3);
    for (const check of [...root.querySelectorAll<HTMLInputElement>('.row[data-id] input.row-check')].slice(0, 3)) check.click();
    await waitFor(() => query(root, '#selection-count').textContent === '3 selected');
    query<HTMLButtonElement>(root, '#bulk-archive').click();
    await waitFor(() => query(root, '#undo-text').textContent === 'Scheduled Archive for 3 customers');

    press(document.body, 'z', { ctrlKey: true });
    await waitFor(() => query(root, '#undo-text').textContent === 'Undone: Scheduled Archive for 3 customers.');
    const jobs = await backend.jobs();
    expect(jobs.map((j) => j.state)).toEqual(['cancelled']);
  });

  it('sets back the customers an Archive job changed once it has fired', async () => {
    const backend = new FakeBackend({ rows: 50 });
    backend.jobDelaySeconds = 0;
    const { root } = mount(backend);
    await waitFor(() => root.querySelectorAll('.row[data-id] input.row-check').length >= 3);
    const checks = [...root.querySelectorAll<HTMLInputElement>('.row[data-id] input.row-check')].slice(0, 3);
    const ids = checks.map((check) => check.closest<HTMLElement>('.row[data-id]')?.dataset['id'] as ProfileId);
    for (const check of checks) check.click();
    await waitFor(() => query(root, '#selection-count').textContent === '3 selected');
    query<HTMLButtonElement>(root, '#bulk-archive').click();
    await waitFor(() => query(root, '#undo-text').textContent === 'Scheduled Archive for 3 customers');
    backend.fireDueJobs();
    for (const id of ids) expect((await backend.profileDetails(id)).profile.status).toBe('archived');

    press(document.body, 'z', { ctrlKey: true });
    await waitFor(() => query(root, '#undo-text').textContent === 'Undone: Scheduled Archive for 3 customers.');
    for (const id of ids) expect((await backend.profileDetails(id)).profile.status).toBe('active');
  });

  it('says what it left as it was because it changed again since', () => {
    expect(
      undoneText({
        label: 'Changed EMAIL and PHONE of Bob',
        restored: 1,
        kept: [{ what: 'PHONE of Bob', value: '+442079460002' }],
      }),
    ).toBe('Undone: Changed EMAIL and PHONE of Bob. PHONE of Bob stays “+442079460002”: it changed again since.');
    expect(undoneText({ label: 'Archived Bob', restored: 0, kept: [{ what: 'STATUS of Bob', value: 'Active' }] })).toBe(
      'Not undone: Archived Bob. STATUS of Bob stays “Active”: it changed again since.',
    );
    expect(
      undoneText({ label: 'Scheduled Archive for 3 customers', restored: 0, kept: [{ what: 'Scheduled Archive for 3 customers', value: '', reason: 'cancelled already' }] }),
    ).toBe('Not undone: Scheduled Archive for 3 customers. Scheduled Archive for 3 customers: cancelled already.');
  });
});
