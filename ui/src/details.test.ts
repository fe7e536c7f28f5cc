import { describe, expect, it } from 'vitest';

import { goalCompletionId, messageId, noteId, requestId, sessionId } from './ids';
import { FakeBackend, fakeId, type FakeBackendOptions } from './testing/fakeBackend';
import { choose, mount, press, query, settle, visibleRows, waitFor, type Mounted } from './testing/harness';

/** Index 1's profile: Ada Tester 0000001, phone +14155550001. */
const INDEX = 1;
const ID = fakeId(INDEX);

async function openDetails(options: FakeBackendOptions | FakeBackend = { rows: 50 }): Promise<Mounted & { panel: HTMLElement }> {
  const mounted = mount(options instanceof FakeBackend ? options : new FakeBackend(options));
  const { root } = mounted;
  const row = await waitFor(() => root.querySelector<HTMLElement>(`.row[data-id="${ID}"]`));
  query<HTMLButtonElement>(row, 'button.username').click();
  const panel = query(root, 'section#details');
  await waitFor(() => query(root, '#details-name').textContent === 'Ada Tester 0000001');
  return { ...mounted, panel };
}

function field(panel: HTMLElement, name: string): HTMLElement {
  return query(panel, `.field[data-field="${name}"]`);
}

function rowCell(root: HTMLElement, column: string): string {
  return query(root, `.row[data-id="${ID}"] .cell-${column}`).textContent ?? '';
}

describe('the Details panel', () => {
  it('opens from a username with the profile', async () => {
    const { root, panel, backend } = await openDetails();
    expect(panel.hidden).toBe(false);
    expect(panel.getAttribute('role')).toBe('dialog');
    expect(panel.getAttribute('aria-labelledby')).toBe('details-title details-name');
    expect(backend.callsOf('profile_details').map((c) => c.args)).toEqual([{ id: ID }]);
    const profile = backend.profile(INDEX);
    expect(query(field(panel, 'email'), '.value').textContent).toBe(profile.email);
    expect(query(field(panel, 'firstName'), '.value').textContent).toBe('Ada');
    expect(query(field(panel, 'phone'), '.value').textContent).toBe('+14155550001');
    expect(query(panel, '.avatar').textContent).toBe('AT');
    expect(query(panel, '#details-status').textContent).toBe('Active');
    expect(query(panel, '[data-info="created"] .time-zone').textContent).toBe('UTC');
    expect(query(panel, '[data-info="liveChatTakeover"] .value').textContent).toBe('No');
    expect(query(panel, '[data-info="device"] .value').textContent).toBe(profile.device);
    for (const name of ['email', 'firstName', 'lastName', 'phone', 'location']) {
      const edit = query<HTMLButtonElement>(field(panel, name), 'button.edit');
      expect(edit.hidden).toBe(false);
      expect(edit.getAttribute('aria-label')).toMatch(/^Edit /);
    }
    expect(query(root, `.row[data-id="${ID}"]`).classList.contains('is-selected')).toBe(true);
  });

  it('shows an empty field as a muted dash', async () => {
    const { panel } = await openDetails({ rows: 50, customise: (p) => ({ ...p, location: '' }) });
    const value = query(field(panel, 'location'), '.value');
    expect(value.textContent).toBe('—');
    expect(value.classList.contains('is-empty')).toBe(true);
  });

  it('refuses an invalid phone beside the field, keeping what was typed, and saves nothing', async () => {
    const { root, panel, backend } = await openDetails();
    const phone = field(panel, 'phone');
    query<HTMLButtonElement>(phone, 'button.edit').click();
    const input = query<HTMLInputElement>(phone, 'input[name="phone"]');
    expect(input.value).toBe('+14155550001');
    expect(document.activeElement).toBe(input);
    expect(query(phone, 'button.save').textContent).toBe('Save');
    expect(query(phone, 'button.cancel').textContent).toBe('Cancel');

    input.value = '12345';
    query<HTMLButtonElement>(phone, 'button.save').click();
    const error = await waitFor(() => root.querySelector<HTMLElement>('.field-error[data-field="phone"]'));
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toBe('Phone must include its country code, such as +44 20 7946 0958');
    expect(phone.contains(error)).toBe(true);
    expect(query<HTMLInputElement>(phone, 'input[name="phone"]').value).toBe('12345');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(query<HTMLButtonElement>(phone, 'button.save').disabled).toBe(false);

    expect(backend.callsOf('patch_profile').map((c) => c.args)).toEqual([{ id: ID, patch: { phone: '12345' } }]);
    expect(backend.profile(INDEX).phone).toBe('+14155550001');
    expect(rowCell(root, 'phone')).toBe('+14155550001');
    expect(query(root, '#error-banner').hidden).toBe(true);
  });

  it('saves a valid phone with Enter and shows it, normalised, in the panel and the table', async () => {
    const { root, panel, backend } = await openDetails();
    const phone = field(panel, 'phone');
    query<HTMLButtonElement>(phone, 'button.edit').click();
    const input = query<HTMLInputElement>(phone, 'input[name="phone"]');
    input.value = '12345';
    press(input, 'Enter');
    await waitFor(() => root.querySelector('.field-error[data-field="phone"]'));

    input.value = '+44 20 7946 0958';
    press(input, 'Enter');
    await waitFor(() => phone.querySelector('input') === null);
    expect(query(phone, '.value').textContent).toBe('+442079460958');
    expect(phone.querySelector('.field-error')).toBeNull();
    expect(backend.callsOf('patch_profile').at(-1)?.args).toEqual({ id: ID, patch: { phone: '+44 20 7946 0958' } });
    expect(backend.profile(INDEX).phone).toBe('+442079460958');
    await waitFor(() => rowCell(root, 'phone') === '+442079460958');
    expect(document.activeElement).toBe(query(phone, 'button.edit'));
  });

  it('keeps what was typed and not saved when Details closes or moves to another customer', async () => {
    const { root, panel, backend } = await openDetails();
    const phone = field(panel, 'phone');
    query<HTMLButtonElement>(phone, 'button.edit').click();
    query<HTMLInputElement>(phone, 'input[name="phone"]').value = '+44 20 79';

    // Closed half-typed: the draft comes back at the next opening, saying so.
    query<HTMLButtonElement>(root, '#details-close').click();
    expect(panel.hidden).toBe(true);
    query<HTMLButtonElement>(root, `.row[data-id="${ID}"] button.username`).click();
    const kept = await waitFor(() => field(panel, 'phone').querySelector<HTMLInputElement>('input[name="phone"]'));
    expect(kept.value).toBe('+44 20 79');
    expect(query(field(panel, 'phone'), '.draft-note').textContent).toBe('Not saved yet: kept from when you left it.');

    // Another customer opened meanwhile: back here, the draft is still there.
    const other = fakeId(2);
    query<HTMLButtonElement>(root, `.row[data-id="${other}"] button.username`).click();
    await waitFor(() => query(root, '#details-name').textContent !== 'Ada Tester 0000001' && query(root, '#details-name').textContent !== 'Loading…');
    expect(panel.querySelector('input[name="phone"]')).toBeNull();
    query<HTMLButtonElement>(root, `.row[data-id="${ID}"] button.username`).click();
    await waitFor(() => field(panel, 'phone').querySelector<HTMLInputElement>('input[name="phone"]')?.value === '+44 20 79');

    // Cancel means it: the draft is gone.
    query<HTMLButtonElement>(field(panel, 'phone'), 'button.cancel').click();
    query<HTMLButtonElement>(root, '#details-close').click();
    query<HTMLButtonElement>(root, `.row[data-id="${ID}"] button.username`).click();
    await waitFor(() => query(root, '#details-name').textContent === 'Ada Tester 0000001');
    await settle();
    expect(panel.querySelector('input[name="phone"]')).toBeNull();
    expect(query(field(panel, 'phone'), '.value').textContent).toBe('+14155550001');
    expect(backend.callsOf('patch_profile')).toHaveLength(0);
  });

  it('renames the heading and the table row after the first name changes', async () => {
    const { root, panel } = await openDetails();
    const firstName = field(panel, 'firstName');
    query<HTMLButtonElement>(firstName, 'button.edit').click();
    query<HTMLInputElement>(firstName, 'input[name="firstName"]').value = 'Augusta';
    query<HTMLButtonElement>(firstName, 'button.save').click();
    await waitFor(() => query(root, '#details-name').textContent === 'Augusta Tester 0000001');
    expect(query(panel, '.avatar').textContent).toBe('AT');
    await waitFor(() => query(root, `.row[data-id="${ID}"] button.username`).textContent === 'Augusta Tester 0000001');
  });

  it('cancels with Escape without calling the core, and Escape again closes the panel', async () => {
    const { root, panel, backend } = await openDetails();
    const email = field(panel, 'email');
    const before = query(email, '.value').textContent;
    query<HTMLButtonElement>(email, 'button.edit').click();
    const input = query<HTMLInputElement>(email, 'input[name="email"]');
    input.value = 'someone@else.example';
    press(input, 'Escape');

    expect(email.querySelector('input')).toBeNull();
    expect(query(email, '.value').textContent).toBe(before);
    expect(query(email, '.value').hidden).toBe(false);
    expect(panel.hidden).toBe(false);
    await settle();
    expect(backend.callsOf('patch_profile')).toHaveLength(0);

    press(document.activeElement ?? document.body, 'Escape');
    expect(panel.hidden).toBe(true);
    expect(query(root, `.row[data-id="${ID}"]`).classList.contains('is-selected')).toBe(false);
  });

  it('cancels with the Cancel button', async () => {
    const { panel, backend } = await openDetails();
    const location = field(panel, 'location');
    query<HTMLButtonElement>(location, 'button.edit').click();
    query<HTMLInputElement>(location, 'input[name="location"]').value = 'Paris';
    query<HTMLButtonElement>(location, 'button.cancel').click();
    expect(location.querySelector('input')).toBeNull();
    await settle();
    expect(backend.callsOf('patch_profile')).toHaveLength(0);
  });

  it('saves once at a time, with Save disabled meanwhile', async () => {
    const { panel, backend } = await openDetails(new FakeBackend({ rows: 50, latency: 30 }));
    const location = field(panel, 'location');
    query<HTMLButtonElement>(location, 'button.edit').click();
    query<HTMLInputElement>(location, 'input[name="location"]').value = 'Paris, France';
    const save = query<HTMLButtonElement>(location, 'button.save');
    save.click();
    expect(save.disabled).toBe(true);
    save.click();
    press(query(location, 'input'), 'Enter');
    await waitFor(() => location.querySelector('input') === null);
    expect(backend.callsOf('patch_profile')).toHaveLength(1);
    expect(query(location, '.value').textContent).toBe('Paris, France');
  });

  it('closes with the close button and gives focus back to the username', async () => {
    const { root, panel } = await openDetails();
    query<HTMLButtonElement>(panel, '#details-close').click();
    expect(panel.hidden).toBe(true);
    expect(document.activeElement).toBe(query(root, `.row[data-id="${ID}"] button.username`));
  });

  it('shows the profile of the last username clicked when two answers cross', async () => {
    const backend = new FakeBackend({ rows: 50, latency: 20 });
    const { root } = mount(backend);
    await waitFor(() => visibleRows(root).length > 3);
    query<HTMLButtonElement>(root, `.row[data-id="${fakeId(1)}"] button.username`).click();
    query<HTMLButtonElement>(root, `.row[data-id="${fakeId(2)}"] button.username`).click();
    await waitFor(() => query(root, '#details-name').textContent === 'Ada Tester 0000002');
    await settle(10);
    expect(query(root, '#details-name').textContent).toBe('Ada Tester 0000002');
    expect(backend.callsOf('profile_details')).toHaveLength(2);
  });

  it('deactivates the profile with the Active option: it then shows only under Archived', async () => {
    const { root, panel, backend } = await openDetails({ rows: 50, archived: 5 });
    await waitFor(() => query(root, '#count').textContent === '45 users');
    const active = query<HTMLInputElement>(panel, '#details-active');
    expect(active.getAttribute('role')).toBe('switch');
    expect(active.checked).toBe(true);
    expect(active.disabled).toBe(false);

    active.click();
    await waitFor(() => query(panel, '#details-status').textContent === 'Archived');
    expect(backend.callsOf('set_profile_active').map((c) => c.args)).toEqual([{ id: ID, active: false }]);
    expect(active.checked).toBe(false);
    // The table reads its rows and count again: the profile left the Active list.
    await waitFor(() => query(root, '#count').textContent === '44 users');
    await waitFor(() => root.querySelector(`.row[data-id="${ID}"]`) === null);
    choose(query<HTMLSelectElement>(root, 'select#status-filter'), 'archived');
    await waitFor(() => root.querySelector(`.row[data-id="${ID}"]`) !== null);
    expect(query(root, '#count').textContent).toBe('6 users');

    // And back.
    active.click();
    await waitFor(() => query(panel, '#details-status').textContent === 'Active');
    expect(backend.callsOf('set_profile_active').at(-1)?.args).toEqual({ id: ID, active: true });
    await waitFor(() => query(root, '#count').textContent === '5 users');
  });

  it('puts the Active option back and says why when the change fails', async () => {
    const backend = new FakeBackend({ rows: 50 });
    const { root, panel } = await openDetails(backend);
    backend.failNext('set_profile_active', { code: 'storage', message: 'the disk is full', fields: [] });
    const active = query<HTMLInputElement>(panel, '#details-active');
    active.click();
    await waitFor(() => root.querySelector('#error-banner:not([hidden])') !== null);
    expect(root.querySelector('#error-banner')?.textContent).toContain('the disk is full');
    expect(active.checked).toBe(true);
    expect(query(panel, '#details-status').textContent).toBe('Active');
  });

  it('adds a note in the "Add a note" box and shows it first, with its author, time and a pending mark', async () => {
    const { panel, backend } = await openDetails();
    const list = query(panel, '#notes');
    await waitFor(() => backend.callsOf('notes').length === 1);
    expect(list.hidden).toBe(true);
    const input = query<HTMLTextAreaElement>(panel, '#note-new');
    const add = query<HTMLButtonElement>(panel, '#note-add');
    expect(add.disabled).toBe(true);

    input.value = 'Called back, wants a refund';
    input.dispatchEvent(new Event('input'));
    expect(add.disabled).toBe(false);
    add.click();
    await waitFor(() => panel.querySelectorAll('.note').length === 1);
    expect(backend.callsOf('add_note').map((c) => c.args)).toEqual([{ profileId: ID, body: 'Called back, wants a refund' }]);
    expect(input.value).toBe('');
    expect(list.hidden).toBe(false);

    backend.now = () => Date.parse('2025-06-01T12:01:00Z');
    input.value = 'Refund sent';
    input.dispatchEvent(new Event('input'));
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, bubbles: true }));
    await waitFor(() => panel.querySelectorAll('.note').length === 2);
    const bodies = [...panel.querySelectorAll('.note .note-body')].map((n) => n.textContent);
    expect(bodies).toEqual(['Refund sent', 'Called back, wants a refund']);
    const meta = query(panel, '.note .note-meta').textContent ?? '';
    expect(meta).toContain('You · Jun 1, 2025 12:01');
    expect(meta).toContain('Not synced yet');
  });

  it('keeps a refused note open with the reason', async () => {
    const { panel, backend } = await openDetails();
    const input = query<HTMLTextAreaElement>(panel, '#note-new');
    input.value = 'x'.repeat(10_001);
    input.dispatchEvent(new Event('input'));
    query<HTMLButtonElement>(panel, '#note-add').click();
    const error = query(panel, '#note-add-error');
    await waitFor(() => !error.hidden);
    expect(error.textContent).toBe('The note was not saved. The note is longer than 10000 characters.');
    expect(input.value).toHaveLength(10_001);
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(backend.notesByProfile.get(ID)).toBeUndefined();
  });

  it('edits and deletes a note in place, deleting only once confirmed', async () => {
    const backend = new FakeBackend({ rows: 50 });
    backend.notesByProfile.set(ID, [
      { id: noteId('n1'), author: 'bob@example.com', body: 'VIP: answer within the hour', created: 'May 30, 2025 09:15', pending: false },
    ]);
    const { panel } = await openDetails(backend);
    await waitFor(() => panel.querySelectorAll('.note').length === 1);
    expect(query(panel, '.note .note-meta').textContent).toBe('bob@example.com · May 30, 2025 09:15');

    query<HTMLButtonElement>(panel, '.note .note-edit').click();
    const editor = query<HTMLTextAreaElement>(panel, '.note .note-editor');
    expect(editor.value).toBe('VIP: answer within the hour');
    editor.value = '   ';
    query<HTMLButtonElement>(panel, '.note .note-save').click();
    await waitFor(() => panel.querySelector('.note .note-error:not([hidden])') !== null);
    expect(query(panel, '.note .note-error').textContent).toBe('The note was not saved. A note needs some text.');
    backend.now = () => Date.parse('2025-06-01T13:00:00Z');
    editor.value = 'VIP: answer within 30 minutes';
    query<HTMLButtonElement>(panel, '.note .note-save').click();
    await waitFor(() => panel.querySelector('.note .note-body')?.textContent === 'VIP: answer within 30 minutes');
    expect(backend.callsOf('edit_note').at(-1)?.args).toEqual({ noteId: 'n1', body: 'VIP: answer within 30 minutes' });
    expect(query(panel, '.note .note-meta').textContent).toContain('edited Jun 1, 2025 13:00');

    query<HTMLButtonElement>(panel, '.note .note-delete').click();
    query<HTMLButtonElement>(panel, '.note .note-keep').click();
    expect(backend.callsOf('delete_note')).toHaveLength(0);
    query<HTMLButtonElement>(panel, '.note .note-delete').click();
    query<HTMLButtonElement>(panel, '.note .note-confirm-delete').click();
    await waitFor(() => panel.querySelectorAll('.note').length === 0);
    expect(backend.callsOf('delete_note').map((c) => c.args)).toEqual([{ noteId: 'n1' }]);
    expect(query(panel, '#notes').hidden).toBe(true);
  });

  it('hides the goal, session and conversation sections of a customer without any', async () => {
    const { panel, backend } = await openDetails();
    await waitFor(() => backend.callsOf('bot_sessions').length === 1 && backend.callsOf('goal_completions').length === 1);
    await settle(5);
    for (const name of ['goals', 'sessions', 'conversation']) {
      expect(query(panel, `[data-section="${name}"]`).hidden).toBe(true);
    }
  });

  it('lists goals and sessions, searches by bot, sorts by end time, and shows the conversation picked', async () => {
    const backend = new FakeBackend({ rows: 50 });
    const session = (id: string, bot: string, ended: string, goalCompleted: boolean) => ({
      id: sessionId(id),
      bot,
      platform: 'mobile_web' as const,
      device: 'Firefox 131',
      started: ended,
      ended,
      goalCompleted,
      liveChatTakeover: false,
    });
    const s1 = session('s1', 'Sales Assistant', 'Nov 3, 2026 10:00', false);
    const s2 = { ...session('s2', 'Support Bot', 'Nov 2, 2026 10:00', false), liveChatTakeover: true, platform: 'whats_app' as const, device: 'WhatsApp' };
    const s3 = { ...session('s3', 'Support Bot', 'Nov 1, 2026 10:00', true), device: '' };
    backend.sessionsByProfile.set(ID, [s1, s2, s3]);
    backend.goalsByProfile.set(ID, [{ id: goalCompletionId('g1'), goal: 'Refund requested', bot: 'Support Bot', completed: 'Nov 1, 2026 09:03', sessionId: s3.id }]);
    backend.conversations.set(s3.id, {
      session: s3,
      messages: [
        { id: messageId('m1'), sender: 'bot', body: 'Hello! How can I help?', sent: 'Nov 1, 2026 09:01' },
        { id: messageId('m2'), sender: 'customer', body: 'My order arrived broken', sent: 'Nov 1, 2026 09:02' },
      ],
    });
    const { panel } = await openDetails(backend);
    const sessions = query(panel, '[data-section="sessions"]');
    await waitFor(() => !sessions.hidden);
    expect(query(panel, '[data-section="goals"]').hidden).toBe(false);
    expect(query(panel, '#goal-completions .record-title').textContent).toBe('Refund requested');
    expect(query(panel, '#goal-completions .record-meta').textContent).toBe('Support Bot · Nov 1, 2026 09:03');

    const ids = () => [...panel.querySelectorAll<HTMLElement>('#sessions .session')].map((n) => n.dataset['session']);
    expect(ids()).toEqual(['s1', 's2', 's3']);
    expect(query(panel, '#sessions [data-session="s3"] .star').textContent).toBe('★');
    expect(panel.querySelector('#sessions [data-session="s1"] .star')).toBeNull();
    // Each session names its device, and says when an agent took over.
    expect(query(panel, '#sessions [data-session="s1"] .record-meta').textContent).toBe('Mobile Web · Firefox 131 · ended Nov 3, 2026 10:00');
    expect(query(panel, '#sessions [data-session="s2"] .takeover-tag').textContent).toBe('Agent took over');
    // A service that is its own platform is named once.
    expect(query(panel, '#sessions [data-session="s2"] .record-meta').textContent).toBe('WhatsApp · ended Nov 2, 2026 10:00');
    expect(panel.querySelector('#sessions [data-session="s1"] .takeover-tag')).toBeNull();
    expect(query(panel, '#sessions [data-session="s3"] .record-meta').textContent).toBe('Mobile Web · ended Nov 1, 2026 10:00');
    // The times are in the manager's zone, and each section says which.
    const zone = (await backend.profileDetails(ID)).timeZone;
    expect(zone).not.toBe('');
    expect(query(panel, '#sessions-zone').textContent).toBe(`Times in ${zone}`);
    expect(query(panel, '#goal-completions-zone').textContent).toBe(`Times in ${zone}`);

    const sort = query<HTMLButtonElement>(panel, '#sessions-sort');
    expect(sort.textContent).toBe('End time ↓');
    sort.click();
    await waitFor(() => ids()[0] === 's3');
    expect(sort.textContent).toBe('End time ↑');
    expect(backend.callsOf('bot_sessions').at(-1)?.args).toEqual({ profileId: ID, search: '', order: 'oldestFirst' });

    const search = query<HTMLInputElement>(panel, '#sessions-search');
    search.value = 'SALES';
    search.dispatchEvent(new Event('input'));
    await waitFor(() => ids().length === 1);
    expect(ids()).toEqual(['s1']);
    search.value = 'billing';
    search.dispatchEvent(new Event('input'));
    await waitFor(() => !query(panel, '#sessions-none').hidden);
    expect(sessions.hidden).toBe(false);
    search.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await waitFor(() => ids().length === 3);
    expect(panel.hidden).toBe(false);

    query(panel, '#sessions [data-session="s3"]').click();
    const talk = query(panel, '[data-section="conversation"]');
    await waitFor(() => !talk.hidden);
    expect(query(panel, '#conversation-heading').textContent).toBe('Support Bot · Mobile Web · Nov 1, 2026 10:00');
    const lines = [...panel.querySelectorAll('#conversation .message')].map((m) => [
      m.querySelector('.message-sender')?.textContent,
      m.querySelector('.message-body')?.textContent,
    ]);
    expect(lines).toEqual([
      ['Support Bot', 'Hello! How can I help?'],
      ['Customer', 'My order arrived broken'],
    ]);
    expect(query(panel, '#sessions [data-session="s3"]').getAttribute('aria-selected')).toBe('true');
    expect(query(panel, '#conversation-zone').textContent).toBe(`Times in ${zone}`);
  });

  it('opens the session a goal was completed in from the goal', async () => {
    const backend = new FakeBackend({ rows: 50 });
    const s1 = { id: sessionId('s1'), bot: 'Sales Assistant', platform: 'desktop' as const, device: 'Chrome 130', started: 'Nov 3, 2026 09:00', ended: 'Nov 3, 2026 10:00', goalCompleted: false, liveChatTakeover: false };
    const s2 = { ...s1, id: sessionId('s2'), bot: 'Support Bot', ended: 'Nov 1, 2026 10:00', goalCompleted: true };
    backend.sessionsByProfile.set(ID, [s1, s2]);
    backend.goalsByProfile.set(ID, [{ id: goalCompletionId('g1'), goal: 'Refund requested', bot: 'Support Bot', completed: 'Nov 1, 2026 09:03', sessionId: s2.id }]);
    backend.conversations.set(s2.id, { session: s2, messages: [{ id: messageId('m1'), sender: 'agent', body: 'Refund sent.', sent: 'Nov 1, 2026 09:03' }] });
    const { panel } = await openDetails(backend);
    await waitFor(() => !query(panel, '[data-section="goals"]').hidden);
    const link = query<HTMLButtonElement>(panel, '#goal-completions .goal-session');
    expect(link.textContent).toBe('View session');
    link.click();
    const talk = query(panel, '[data-section="conversation"]');
    await waitFor(() => !talk.hidden);
    expect(backend.callsOf('conversation').at(-1)?.args).toEqual({ sessionId: 's2' });
    expect(query(panel, '#conversation .message-body').textContent).toBe('Refund sent.');
    expect(query(panel, '#sessions [data-session="s2"]').getAttribute('aria-selected')).toBe('true');
    expect(query(panel, '#sessions [data-session="s1"]').getAttribute('aria-selected')).toBe('false');
  });

  it('asks to confirm a data request, then queues it and lists it as waiting to sync', async () => {
    const { panel, backend } = await openDetails();
    await waitFor(() => backend.callsOf('data_requests').length === 1);
    expect(query(panel, '#requests').hidden).toBe(true);

    query<HTMLButtonElement>(panel, '#request-delete').click();
    const confirm = query(panel, '#request-confirm');
    expect(confirm.hidden).toBe(false);
    expect(confirm.textContent).toContain('delete this user’s data?');
    query<HTMLButtonElement>(panel, '#request-confirm-no').click();
    expect(confirm.hidden).toBe(true);
    expect(backend.callsOf('request_data')).toHaveLength(0);

    query<HTMLButtonElement>(panel, '#request-export').click();
    query<HTMLButtonElement>(panel, '#request-confirm-yes').click();
    await waitFor(() => panel.querySelectorAll('#requests .request').length === 1);
    expect(backend.callsOf('request_data').map((c) => c.args)).toEqual([{ profileId: ID, kind: 'export' }]);
    expect(query(panel, '#requests .request .record-title').textContent).toBe('Export of the user’s data');
    expect(query(panel, '#requests .request .request-state').textContent).toBe('Waiting to sync');
    expect(query(panel, '#request-export').closest('.request-actions')?.hasAttribute('hidden')).toBe(false);
  });

  it('shows where the email of each request stands once synced', async () => {
    const backend = new FakeBackend({ rows: 50 });
    backend.requestsByProfile.set(ID, [
      { id: requestId('r2'), kind: 'delete', state: 'failed', reason: 'the mail server refused', requestedBy: 'bob@example.com', requested: 'May 2, 2025 10:00', pending: false },
      { id: requestId('r1'), kind: 'export', state: 'sent', reason: '', requestedBy: 'bob@example.com', requested: 'May 1, 2025 10:00', sent: 'May 1, 2025 10:01', pending: false },
    ]);
    const { panel } = await openDetails(backend);
    await waitFor(() => panel.querySelectorAll('#requests .request').length === 2);
    const states = [...panel.querySelectorAll('#requests .request-state')].map((n) => n.textContent);
    expect(states).toEqual(['Not sent yet: the mail server refused', 'Sent to the data-protection contact on May 1, 2025 10:01']);
  });
});


describe('previous and next customer', () => {
  it('moves Details along the table without closing it, by button or Alt+arrow', async () => {
    const { root, panel } = await openDetails();
    const name = (): string => query(root, '#details-name').textContent ?? '';
    const rowName = (index: number): string =>
      query(root, `.row[data-id="${fakeId(index)}"] button.username`).textContent ?? '';
    expect(query(panel, '#details-previous').getAttribute('aria-label')).toBe('Previous customer');

    query<HTMLButtonElement>(panel, '#details-next').click();
    await waitFor(() => name() === rowName(2));
    expect(panel.hidden).toBe(false);
    expect(query(root, `.row[data-id="${fakeId(2)}"]`).classList.contains('is-selected')).toBe(true);
    await waitFor(() => document.activeElement === query(panel, '#details-next'));

    press(panel, 'ArrowUp', { altKey: true });
    await waitFor(() => name() === rowName(1));
    press(panel, 'ArrowUp', { altKey: true });
    await waitFor(() => name() === rowName(0));
    // The first customer: nothing before it.
    query<HTMLButtonElement>(panel, '#details-previous').click();
    await settle();
    expect(name()).toBe(rowName(0));
  });
});

describe("Details' segments", () => {
  it('takes the customer out of a segment they were added to by hand, not one they meet the rules of', async () => {
    const backend = new FakeBackend({ rows: 50 });
    const vip = backend.seedSegment({ name: 'VIP', description: '', rules: [] }, [ID]);
    backend.seedSegment({ name: 'Everyone active', description: '', rules: [{ rule: 'status', status: 'active' }] });
    const { root, panel } = await openDetails(backend);
    const chips = (): string[] => [...panel.querySelectorAll('.details-segment')].map((b) => b.textContent ?? '');
    await waitFor(() => chips().length === 2);
    expect(chips()).toEqual(['Everyone active', 'VIP']);
    // Only the hand-picked one can be taken out here.
    const removes = [...panel.querySelectorAll<HTMLButtonElement>('.segment-remove')];
    expect(removes.map((b) => b.getAttribute('aria-label'))).toEqual(['Remove from VIP']);

    removes[0]?.click();
    await waitFor(() => chips().length === 1);
    expect(chips()).toEqual(['Everyone active']);
    expect(backend.callsOf('remove_from_segment').map((c) => c.args)).toEqual([
      { id: vip.id, selection: { kind: 'ids', ids: [ID] } },
    ]);
    expect(query(root, '#error-banner').hidden).toBe(true);
  });
});
