import { describe, expect, it } from 'vitest';

import { FakeBackend, fakeId } from './testing/fakeBackend';
import { mount, query, waitFor } from './testing/harness';

const ACME = { serverUrl: 'https://users.example.com', workspace: 'Acme', manager: 'ada@example.com', role: 'admin' };

describe('the sync status bar', () => {
  it('says the app works locally until the manager signs in', async () => {
    const { root } = mount(new FakeBackend({ rows: 5 }), { syncPollInterval: 20 });
    const state = query(root, '#sync-state');
    await waitFor(() => query(root, '#sync-last').textContent === 'Never synced');
    expect(state.getAttribute('data-state')).toBe('local');
    expect(state.textContent).toBe('Not signed in: edits stay on this computer');
    expect(query(root, '#sync-now').hidden).toBe(true);
  });

  it('shows online or offline, pending edits, the last sync and the last error', async () => {
    const backend = new FakeBackend({ rows: 5 });
    backend.sync = { account: ACME, online: true, syncing: false, pending: 3, lastSynced: 'Jun 1, 2025 11:58', rejections: [] };
    const { root } = mount(backend, { syncPollInterval: 20 });
    const state = query(root, '#sync-state');
    await waitFor(() => state.getAttribute('data-state') === 'online');
    expect(state.textContent).toBe('Online: Acme');
    expect(query(root, '#sync-pending').textContent).toBe('3 edits waiting to sync');
    expect(query(root, '#sync-last').textContent).toBe('Last sync Jun 1, 2025 11:58');
    expect(query(root, '#sync-error').hidden).toBe(true);

    backend.sync = {
      ...backend.sync,
      online: false,
      pending: 1,
      error: { code: 'offline', message: 'the server could not be reached: connection refused', fields: [] },
    };
    await waitFor(() => state.getAttribute('data-state') === 'offline');
    expect(query(root, '#sync-pending').textContent).toBe('1 edit waiting to sync');
    expect(query(root, '#sync-error').textContent).toBe('the server could not be reached: connection refused');
  });

  it('shows a progress bar while the workspace downloads for the first time', async () => {
    const backend = new FakeBackend({ rows: 5 });
    backend.sync = { account: ACME, online: true, syncing: true, pending: 0, firstSync: { pulled: 125000, pages: 25 }, rejections: [] };
    const { root } = mount(backend, { syncPollInterval: 20 });
    const progress = query<HTMLProgressElement>(root, '#sync-progress');
    await waitFor(() => !progress.hidden);
    expect(query(root, '#sync-progress-text').textContent).toBe('Downloading the workspace: 125,000 records');
    // Until the server says how much is coming, the bar has no value.
    expect(progress.hasAttribute('value')).toBe(false);
    expect(query(root, '#sync-state').textContent).toBe('Syncing…');
    expect(query<HTMLButtonElement>(root, '#sync-now').disabled).toBe(true);
    // The table stays usable meanwhile.
    await waitFor(() => root.querySelectorAll('.row').length > 0);

    // The first download done, the table is read again.
    const countsBefore = backend.callsOf('count_profiles').length;
    const { firstSync: _done, ...rest } = backend.sync;
    backend.sync = { ...rest, syncing: false, lastSynced: 'Jun 1, 2025 12:00' };
    await waitFor(() => progress.hidden);
    await waitFor(() => backend.callsOf('count_profiles').length > countsBefore);
  });

  it('fills the progress bar once the server has said how many records the download brings', async () => {
    const backend = new FakeBackend({ rows: 5 });
    const downloading = { account: ACME, online: true, syncing: true, pending: 0, rejections: [] };
    backend.sync = { ...downloading, firstSync: { pulled: 5000, pages: 1, total: 2918502 } };
    const { root } = mount(backend, { syncPollInterval: 20 });
    const progress = query<HTMLProgressElement>(root, '#sync-progress');
    const text = query(root, '#sync-progress-text');
    await waitFor(() => !progress.hidden);
    expect(text.textContent).toBe('Downloading the workspace: 5,000 of 2,918,502 records (0%)');
    expect(progress.max).toBe(2918502);
    expect(progress.value).toBe(5000);

    backend.sync = { ...downloading, firstSync: { pulled: 1459251, pages: 292, total: 2918502 } };
    await waitFor(() => text.textContent?.endsWith('(50%)') === true);
    expect(progress.value).toBe(1459251);
    // Records the server skipped (gone with their customer) never push the bar past the end.
    backend.sync = { ...downloading, firstSync: { pulled: 3000000, pages: 600, total: 2918502 } };
    await waitFor(() => text.textContent?.endsWith('(100%)') === true);
    expect(text.textContent).toBe('Downloading the workspace: 2,918,502 of 2,918,502 records (100%)');
  });

  it('"Sync now" syncs, and the table is read again once a sync brought changes', async () => {
    const backend = new FakeBackend({ rows: 5 });
    backend.sync = { account: ACME, online: true, syncing: false, pending: 2, lastSynced: 'Jun 1, 2025 11:00', rejections: [] };
    const { root } = mount(backend, { syncPollInterval: 20 });
    const button = await waitFor(() => {
      const node = root.querySelector<HTMLButtonElement>('#sync-now');
      return node !== null && !node.hidden ? node : undefined;
    });
    const countsBefore = backend.callsOf('count_profiles').length;
    button.click();
    await waitFor(() => query(root, '#sync-last').textContent === 'Last sync Jun 1, 2025 12:00');
    expect(backend.callsOf('sync_now')).toHaveLength(1);
    expect(query(root, '#sync-pending').textContent).toBe('No pending edits');
    await waitFor(() => backend.callsOf('count_profiles').length > countsBefore);
  });

  it('lists refused edits with their reasons until each is dismissed', async () => {
    const backend = new FakeBackend({ rows: 5 });
    backend.sync = {
      account: ACME,
      online: true,
      syncing: false,
      pending: 0,
      rejections: [
        { mutation_id: 4, name: 'profile.patch', code: 'not_found', message: 'the customer was deleted on the server', fields: [] },
        { mutation_id: 9, name: 'profile.patch', code: 'validation', message: 'email: is not a valid email address', fields: [] },
      ],
    };
    const { root } = mount(backend, { syncPollInterval: 20 });
    const toggle = await waitFor(() => {
      const node = root.querySelector<HTMLButtonElement>('#sync-refused-toggle');
      return node !== null && !node.hidden ? node : undefined;
    });
    expect(toggle.textContent).toBe('2 edits not kept');
    toggle.click();
    const list = query(root, '#sync-refused');
    expect(list.hidden).toBe(false);
    expect([...list.querySelectorAll('.sync-refused-reason')].map((n) => n.textContent)).toEqual([
      'the customer was deleted on the server',
      'email: is not a valid email address',
    ]);
    query<HTMLButtonElement>(list, '.sync-dismiss[data-mutation="4"]').click();
    await waitFor(() => toggle.textContent === '1 edit not kept');
    expect(backend.callsOf('dismiss_rejection').map((c) => c.args)).toEqual([{ mutationId: 4 }]);
    query<HTMLButtonElement>(list, '.sync-dismiss[data-mutation="9"]').click();
    await waitFor(() => toggle.hidden);
  });

  it('opens the Details of a customer whose edit a colleague replaced, at the History', async () => {
    const backend = new FakeBackend({ rows: 5 });
    const customer = fakeId(2);
    backend.sync = {
      account: ACME,
      online: true,
      syncing: false,
      pending: 0,
      rejections: [
        { mutation_id: 7, name: 'profile.patch', code: 'overwritten', message: 'bob@example.com changed Ada after you', fields: [], profile_id: customer },
        { mutation_id: 8, name: 'profile.patch', code: 'not_found', message: 'the customer was deleted on the server', fields: [] },
      ],
    };
    const { root } = mount(backend, { syncPollInterval: 20 });
    const toggle = await waitFor(() => {
      const node = root.querySelector<HTMLButtonElement>('#sync-refused-toggle');
      return node !== null && !node.hidden ? node : undefined;
    });
    toggle.click();
    const list = query(root, '#sync-refused');
    // Only the notice that names its customer links to them.
    expect(list.querySelectorAll('.sync-see-history')).toHaveLength(1);
    query<HTMLButtonElement>(list, '.sync-refused-item[data-mutation="7"] .sync-see-history').click();
    const panel = query(root, 'section#details');
    await waitFor(() => document.activeElement === panel.querySelector('#history-title'));
    expect(backend.callsOf('profile_history').map((c) => c.args)).toContainEqual({ id: customer });
  });

  it('renders a refusal reason as text, never as markup', async () => {
    const backend = new FakeBackend({ rows: 5 });
    const hostile = '<img src=x onerror=alert(1)>';
    backend.sync = {
      account: ACME,
      syncing: false,
      pending: 0,
      rejections: [{ mutation_id: 1, name: 'profile.patch', code: 'validation', message: hostile, fields: [] }],
    };
    const { root } = mount(backend, { syncPollInterval: 20 });
    await waitFor(() => root.querySelector('.sync-refused-reason')?.textContent === hostile);
    expect(root.querySelector('#sync-refused img')).toBeNull();
  });
});

describe('a server restored from an older backup', () => {
  it('offers to download again only then, and says how many confirmed edits the server lost', async () => {
    const backend = new FakeBackend({ rows: 5 });
    const message =
      'the server no longer holds changes it had confirmed (up to mutation 3); it may have been restored from an older backup.';
    backend.sync = {
      account: ACME,
      online: true,
      syncing: false,
      pending: 1,
      lastSynced: 'Jun 1, 2025 11:00',
      rejections: [],
      error: { code: 'server_rolled_back', message, fields: [] },
    };
    backend.lostInRestore = 2;
    const { root } = mount(backend, { syncPollInterval: 20 });
    const recover = query<HTMLButtonElement>(root, '#sync-recover');
    await waitFor(() => !recover.hidden);
    expect(recover.textContent).toBe('Download again');
    expect(query(root, '#sync-error').textContent).toBe(message);

    recover.click();
    const recovered = query(root, '#sync-recovered');
    await waitFor(() => !recovered.hidden);
    expect(recovered.textContent).toBe('Downloaded again from the server; it no longer holds 2 edits it had confirmed.');
    expect(backend.callsOf('recover_sync')).toHaveLength(1);
    await waitFor(() => recover.hidden);
    expect(query(root, '#sync-error').hidden).toBe(true);
  });

  it('is not offered for any other failure', async () => {
    const backend = new FakeBackend({ rows: 5 });
    backend.sync = {
      account: ACME,
      online: false,
      syncing: false,
      pending: 0,
      rejections: [],
      error: { code: 'offline', message: 'the server could not be reached', fields: [] },
    };
    const { root } = mount(backend, { syncPollInterval: 20 });
    await waitFor(() => !query(root, '#sync-error').hidden);
    expect(query(root, '#sync-recover').hidden).toBe(true);
  });
});

describe('signing in from Settings', () => {
  it('signs in with a server and token, shows the account, then signs out', async () => {
    const backend = new FakeBackend({ rows: 5 });
    const { root } = mount(backend, { syncPollInterval: 20 });
    query<HTMLButtonElement>(root, 'button#settings').click();
    const server = query<HTMLInputElement>(root, '#account-server');
    const token = query<HTMLInputElement>(root, '#account-token');
    await waitFor(() => !server.closest('.account-form')?.hasAttribute('hidden'));
    expect(token.type).toBe('password');

    server.value = 'https://users.example.com';
    token.value = 'udt_wrong';
    query<HTMLButtonElement>(root, '#account-sign-in').click();
    const error = query(root, '#settings-error');
    await waitFor(() => !error.hidden);
    expect(error.textContent).toBe('the token is not valid (revoked or mistyped)');
    expect(backend.sync.account).toBeUndefined();

    token.value = 'udt_good';
    query<HTMLButtonElement>(root, '#account-sign-in').click();
    const summary = query(root, '#account-summary');
    await waitFor(() => summary.textContent?.includes('Acme') === true);
    expect(summary.textContent).toBe('Signed in to Acme as ada@example.com (admin) at https://users.example.com.');
    expect(token.value).toBe(''); // the token does not stay in the form
    expect(backend.callsOf('sign_in').map((c) => c.args)).toEqual([
      { form: { serverUrl: 'https://users.example.com', token: 'udt_wrong' } },
      { form: { serverUrl: 'https://users.example.com', token: 'udt_good' } },
    ]);
    await waitFor(() => query(root, '#sync-state').getAttribute('data-state') === 'online');

    query<HTMLButtonElement>(root, '#account-sign-out').click();
    await waitFor(() => query(root, '#sync-state').getAttribute('data-state') === 'local');
    expect(backend.callsOf('sign_out')).toHaveLength(1);
  });

  it("offers to drop the last manager's unsent edits only when the core refuses for them", async () => {
    const backend = new FakeBackend({ rows: 5 });
    const { root } = mount(backend, { syncPollInterval: 20 });
    query<HTMLButtonElement>(root, 'button#settings').click();
    const server = query<HTMLInputElement>(root, '#account-server');
    await waitFor(() => !server.closest('.account-form')?.hasAttribute('hidden'));
    server.value = 'https://users.example.com';
    query<HTMLInputElement>(root, '#account-token').value = 'udt_good';
    const drop = query<HTMLButtonElement>(root, '#account-discard-sign-in');
    expect(drop.hidden).toBe(true);
    const reason =
      'ann@example.com made 2 edit(s) on this computer that have not reached the server: sign in as ann@example.com to send them, or drop them to sign in as ada@example.com';
    backend.failNext('sign_in', { code: 'pending_of_another_manager', message: reason, fields: [] });
    query<HTMLButtonElement>(root, '#account-sign-in').click();
    const error = query(root, '#settings-error');
    await waitFor(() => !error.hidden);
    expect(error.textContent).toBe(reason);
    expect(drop.hidden).toBe(false);
    expect(drop.textContent).toBe('Drop their edits and sign in');

    drop.click();
    const summary = query(root, '#account-summary');
    await waitFor(() => summary.textContent?.includes('Acme') === true);
    expect(backend.callsOf('sign_in').map((c) => c.args)).toEqual([
      { form: { serverUrl: 'https://users.example.com', token: 'udt_good' } },
      { form: { serverUrl: 'https://users.example.com', token: 'udt_good', discardPending: true } },
    ]);
    expect(drop.hidden).toBe(true);
  });
});

describe('an edit in Details', () => {
  it('shows as waiting to sync at once, without waiting for the next look', async () => {
    const backend = new FakeBackend({ rows: 20 });
    backend.sync = { account: ACME, online: true, syncing: false, pending: 0, lastSynced: 'Jun 1, 2025 11:00', rejections: [] };
    // A poll far in the future: only the save itself can bring the new count.
    const { root } = mount(backend, { syncPollInterval: 600_000 });
    await waitFor(() => query(root, '#sync-pending').textContent === 'No pending edits');
    const row = await waitFor(() => root.querySelector<HTMLElement>(`.row[data-id="${fakeId(1)}"] button.username`));
    row.click();
    await waitFor(() => query(root, '#details-name').textContent === 'Ada Tester 0000001');
    const location = query(root, 'section#details .field[data-field="location"]');
    query<HTMLButtonElement>(location, 'button.edit').click();
    const input = await waitFor(() => root.querySelector<HTMLInputElement>('section#details input[name="location"]'));
    input.value = 'Paris';
    backend.sync = { ...backend.sync, pending: 1 };
    query<HTMLButtonElement>(root, 'section#details .field[data-field="location"] button.save').click();
    await waitFor(() => query(root, '#sync-pending').textContent === '1 edit waiting to sync');
  });
});

describe('coming back online', () => {
  it('asks the core to sync at once', async () => {
    const backend = new FakeBackend({ rows: 5 });
    backend.sync = { account: ACME, online: false, syncing: false, pending: 2, rejections: [] };
    const { root } = mount(backend, { syncPollInterval: 600_000 });
    await waitFor(() => query(root, '#sync-state').getAttribute('data-state') === 'offline');
    expect(backend.callsOf('back_online')).toHaveLength(0);
    window.dispatchEvent(new Event('online'));
    await waitFor(() => backend.callsOf('back_online').length === 1);
  });
});
