import { describe, expect, it } from 'vitest';

import type { ProfileFilter } from './bindings/ProfileFilter';
import { jobId } from './ids';
import { OPEN_JOB_EVENT } from './jobs';
import { FakeBackend, fakeId } from './testing/fakeBackend';
import { choose, mount, press, query, settle, type, visibleRows, waitFor, type Mounted } from './testing/harness';

/** 300 customers, the last 30 archived; the jobs read every `poll` ms while one is due. */
async function mountTable(backend = new FakeBackend({ rows: 300 }), poll = 20): Promise<Mounted> {
  const mounted = mount(backend, { jobsPollInterval: poll });
  await waitFor(() => visibleRows(mounted.root).length > 0);
  await waitFor(() => query(mounted.root, '#count').textContent === '270 users');
  return mounted;
}

function rowOf(root: HTMLElement, index: number): HTMLElement {
  return query(root, `.row[data-id="${fakeId(index)}"]`);
}

/** Checks rows and clicks Archive (or Active); resolves with the job's item in the panel. */
async function schedule(root: HTMLElement, rows: readonly number[], button = '#bulk-archive'): Promise<HTMLElement> {
  for (const i of rows) query<HTMLInputElement>(rowOf(root, i), 'input.row-check').click();
  query<HTMLButtonElement>(root, button).click();
  return waitFor(() => root.querySelector<HTMLElement>('#jobs-panel li.job'));
}

function mark(root: HTMLElement, index: number): HTMLElement | null {
  const node = root.querySelector<HTMLElement>(`.row[data-id="${fakeId(index)}"] .pending-job`);
  return node !== null && !node.hidden ? node : null;
}

describe('the jobs of Active and Archive', () => {
  it('shows a job just scheduled with a countdown, marks its rows, and Cancel withdraws it', async () => {
    const { root, backend } = await mountTable();
    const button = query<HTMLButtonElement>(root, '#jobs-button');
    expect(button.hidden).toBe(true);

    const job = await schedule(root, [0, 1, 2]);
    const panel = query(root, '#jobs-panel');
    expect(panel.hidden).toBe(false);
    expect(button.hidden).toBe(false);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    expect(button.textContent).toBe('1 job pending');
    expect(job.getAttribute('data-job-id')).toBe('job-1');
    expect(query(job, '.job-title').textContent).toBe('Archive 3 customers');
    expect(query(job, '.job-state').textContent).toBe('Pending');
    expect(query(job, '.job-countdown').textContent).toMatch(/^in (5:00|4:5\d)$/);
    expect(query(job, '.job-time').textContent).toMatch(/^at /);

    // The rows read again show what will happen to them.
    const first = await waitFor(() => mark(root, 0));
    expect(first.textContent).toBe('Archiving…');
    expect(first.title).toContain('after the delay set in Settings');
    expect(mark(root, 2)?.textContent).toBe('Archiving…');
    expect(mark(root, 3)).toBeNull();

    query<HTMLButtonElement>(job, 'button.job-cancel').click();
    await waitFor(() => query(job, '.job-state').textContent === 'Cancelled');
    expect(backend.callsOf('cancel_job').map((c) => c.args)).toEqual([{ id: 'job-1' }]);
    expect(query(job, 'button.job-cancel').hidden).toBe(true);
    expect(query(job, '.job-countdown').hidden).toBe(true);
    expect(button.textContent).toBe('Jobs');
    await waitFor(() => mark(root, 0) === null);
    expect(rowOf(root, 0).querySelector('.badge')?.textContent).toBe('Active');
  });

  it('archives the customers when the job fires: the rows leave Active and show Archived', async () => {
    const { root, backend } = await mountTable();
    const job = await schedule(root, [0, 1, 2]);
    await waitFor(() => mark(root, 1));

    // Five minutes later, as far as the core's clock is concerned.
    backend.now = () => Date.now() + 301_000;
    await waitFor(() => job.getAttribute('data-state') === 'done');
    expect(query(job, '.job-state').textContent).toBe('Done: Archived 3 profiles');
    expect(query(job, 'button.job-cancel').hidden).toBe(true);
    await waitFor(() => query(root, '#count').textContent === '267 users');
    await waitFor(() => visibleRows(root)[0]?.getAttribute('data-id') === fakeId(3));

    choose(query<HTMLSelectElement>(root, '#status-filter'), 'archived');
    await waitFor(() => query(root, '#count').textContent === '33 users');
    await waitFor(() => root.querySelector(`.row[data-id="${fakeId(0)}"]`));
    for (const i of [0, 1, 2]) {
      expect(query(rowOf(root, i), '.badge').textContent).toBe('Archived');
      expect(mark(root, i)).toBeNull();
    }
  });

  it('counts down every second, and says "now" when the job is due', async () => {
    const backend = new FakeBackend({ rows: 300 });
    backend.jobDelaySeconds = 2;
    // The jobs are not read again during the test: only the countdown moves.
    const { root } = await mountTable(backend, 60_000);
    const job = await schedule(root, [4], '#bulk-active');
    const countdown = query(job, '.job-countdown');
    expect(query(job, '.job-title').textContent).toBe('Activate 1 customer');
    expect(countdown.textContent).toMatch(/^in 0:0[12]$/);
    await waitFor(() => countdown.textContent === 'in 0:01', 2500);
    await waitFor(() => countdown.textContent === 'now', 2500);
  }, 8000);

  it('shows why Cancel was refused once the job fired', async () => {
    const { root, backend } = await mountTable(new FakeBackend({ rows: 300 }), 60_000);
    const job = await schedule(root, [0]);
    backend.now = () => Date.now() + 301_000;

    query<HTMLButtonElement>(job, 'button.job-cancel').click();
    const error = await waitFor(() => {
      const node = query(job, '.job-error');
      return !node.hidden && node;
    });
    expect(error.textContent).toBe('The job has already fired: its changes are being made or are made');
    await waitFor(() => job.getAttribute('data-state') === 'done');
    expect(query(job, '.job-state').textContent).toBe('Done: Archived 1 profile');
  });

  it('lists the jobs kept from before the app started, and opens and closes the panel', async () => {
    const backend = new FakeBackend({ rows: 300 });
    await backend.scheduleJob('archive', { kind: 'ids', ids: [fakeId(10), fakeId(11)] });
    await backend.scheduleJob('activate', { kind: 'filter', filter: { status: 'archived', lastSeen: 'any', search: '' } });
    const { root } = await mountTable(backend, 60_000);
    const button = query<HTMLButtonElement>(root, '#jobs-button');
    await waitFor(() => !button.hidden);
    expect(button.textContent).toBe('2 jobs pending');
    const panel = query(root, '#jobs-panel');
    expect(panel.hidden).toBe(true);

    button.click();
    expect(panel.hidden).toBe(false);
    const titles = [...panel.querySelectorAll('li.job .job-title')].map((n) => n.textContent);
    expect(titles).toEqual(['Archive 2 customers', 'Activate 30 customers']);
    expect(mark(root, 10)?.textContent).toBe('Archiving…');

    // Escape closes it, focus back on the button.
    query<HTMLButtonElement>(panel, 'button.job-cancel').focus();
    panel.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }));
    expect(panel.hidden).toBe(true);
    expect(document.activeElement).toBe(button);

    // A click elsewhere in the window closes it too.
    button.click();
    expect(panel.hidden).toBe(false);
    query(root, '.table-scroller').dispatchEvent(new Event('pointerdown', { bubbles: true }));
    expect(panel.hidden).toBe(true);
  });

  it('notices a job scheduled elsewhere, and marks its rows', async () => {
    const { root, backend } = await mountTable();
    await waitFor(() => backend.callsOf('jobs').length > 0);
    await backend.scheduleJob('archive', { kind: 'ids', ids: [fakeId(8)] });
    const button = query<HTMLButtonElement>(root, '#jobs-button');
    await waitFor(() => button.textContent === '1 job pending');
    expect(query(root, '#jobs-panel').hidden).toBe(true);
    await waitFor(() => mark(root, 8));
  });

  it('shows a failed read of the jobs in the banner, once', async () => {
    const backend = new FakeBackend({ rows: 300 });
    backend.failNext('jobs', { code: 'storage', message: 'The database is locked', fields: [] });
    backend.failNext('jobs', { code: 'storage', message: 'The database is locked', fields: [] });
    const { root } = await mountTable(backend, 5);
    await waitFor(() => query(root, '#error-banner .message').textContent === 'The database is locked');
    query<HTMLButtonElement>(root, '#error-banner button.dismiss').click();
    await waitFor(() => backend.callsOf('jobs').length >= 3);
    expect(query(root, '#error-banner').hidden).toBe(true);
  });

  it('marks the rows of a job over a filter', async () => {
    const backend = new FakeBackend({ rows: 300 });
    const { root } = await mountTable(backend, 60_000);
    choose(query<HTMLSelectElement>(root, '#status-filter'), 'archived');
    await waitFor(() => query(root, '#count').textContent === '30 users');
    await waitFor(() => root.querySelector(`.row[data-id="${fakeId(270)}"]`));
    query<HTMLInputElement>(rowOf(root, 270), 'input.row-check').click();
    query<HTMLButtonElement>(root, '#select-all-matching').click();
    query<HTMLButtonElement>(root, '#bulk-active').click();
    await waitFor(() => mark(root, 270));
    expect(mark(root, 270)?.textContent).toBe('Activating…');
    expect(mark(root, 271)?.textContent).toBe('Activating…');
    expect(query(root, '#jobs-panel li.job .job-title').textContent).toBe('Activate 30 customers');
  });
});

/** The filter of the last page asked for. */
function lastListFilter(backend: FakeBackend): ProfileFilter | undefined {
  const calls = backend.callsOf('list_profiles');
  const request = calls[calls.length - 1]?.args['request'] as { filter: ProfileFilter } | undefined;
  return request?.filter;
}

function lastCountFilter(backend: FakeBackend): ProfileFilter | undefined {
  const calls = backend.callsOf('count_profiles');
  return calls[calls.length - 1]?.args['filter'] as ProfileFilter | undefined;
}

/** What a click on the job's system notification makes the shell dispatch. */
function openJob(id: string): void {
  window.dispatchEvent(new CustomEvent(OPEN_JOB_EVENT, { detail: id }));
}

function visibleIds(root: HTMLElement): (string | null)[] {
  return visibleRows(root).map((row) => row.getAttribute('data-id'));
}

describe('the customers of a job done', () => {
  it('opens from the notification: archived customers of the job only, the other filters reset', async () => {
    // The jobs are not read again by themselves: the job is found done by the read the click makes.
    const { root, backend } = await mountTable(new FakeBackend({ rows: 300 }), 60_000);
    const job = await schedule(root, [0, 1, 2]);
    expect(job.getAttribute('data-state')).toBe('pending');
    backend.now = () => Date.now() + 301_000;

    // Filters the job's customers don't meet, and another tab.
    type(query<HTMLInputElement>(root, '#search'), 'nobody');
    press(query(root, '#search'), 'Enter');
    choose(query<HTMLSelectElement>(root, '#type-filter'), 'anonymous');
    choose(query<HTMLSelectElement>(root, '#platform-filter'), 'telegram');
    choose(query<HTMLSelectElement>(root, '#last-seen-filter'), 'today');
    query<HTMLButtonElement>(root, '#tab-segments').click();
    expect(query(root, '#users-panel').hidden).toBe(true);
    const chip = query(root, '#job-filter');
    expect(chip.hidden).toBe(true);

    openJob('job-1');
    await waitFor(() => lastListFilter(backend)?.job === 'job-1');
    const expected: ProfileFilter = { status: 'archived', lastSeen: 'any', search: '', job: jobId('job-1') };
    expect(lastListFilter(backend)).toEqual(expected);
    await waitFor(() => lastCountFilter(backend)?.job === 'job-1');
    expect(lastCountFilter(backend)).toEqual(expected);

    expect(query(root, '#tab-all-users').getAttribute('aria-selected')).toBe('true');
    expect(query(root, '#users-panel').hidden).toBe(false);
    expect(query<HTMLInputElement>(root, '#search').value).toBe('');
    expect(query<HTMLSelectElement>(root, '#status-filter').value).toBe('archived');
    expect(query<HTMLSelectElement>(root, '#type-filter').value).toBe('');
    expect(query<HTMLSelectElement>(root, '#platform-filter').value).toBe('');
    expect(query<HTMLSelectElement>(root, '#last-seen-filter').value).toBe('any');
    expect(query<HTMLSelectElement>(root, '#segment-filter').value).toBe('');
    expect(chip.hidden).toBe(false);
    expect(chip.textContent).toBe('Customers of: Archived 3 profiles');
    expect(query(chip, '#job-filter-clear').getAttribute('aria-label')).toBe('Show all customers again');

    await waitFor(() => query(root, '#count').textContent === '3 users');
    await waitFor(() => visibleIds(root).length === 3);
    expect(visibleIds(root)).toEqual([fakeId(0), fakeId(1), fakeId(2)]);
    // The panel caught up with the job on the way.
    expect(job.getAttribute('data-state')).toBe('done');
  });

  it('keeps the job under another status, and its chip button shows every customer again', async () => {
    const { root, backend } = await mountTable();
    const job = await schedule(root, [0, 1, 2]);
    backend.now = () => Date.now() + 301_000;
    await waitFor(() => job.getAttribute('data-state') === 'done');

    openJob('job-1');
    await waitFor(() => query(root, '#count').textContent === '3 users');

    // Under Active the job's customers are none of them now; the job stays in the filter.
    choose(query<HTMLSelectElement>(root, '#status-filter'), 'active');
    await waitFor(() => lastListFilter(backend)?.status === 'active');
    expect(lastListFilter(backend)).toEqual({ status: 'active', lastSeen: 'any', search: '', job: 'job-1' });
    await waitFor(() => query(root, '#count').textContent === '0 users');
    const chip = query(root, '#job-filter');
    expect(chip.hidden).toBe(false);

    choose(query<HTMLSelectElement>(root, '#status-filter'), 'archived');
    await waitFor(() => query(root, '#count').textContent === '3 users');
    query<HTMLButtonElement>(chip, '#job-filter-clear').click();
    expect(chip.hidden).toBe(true);
    expect(document.activeElement).toBe(query(root, '#search'));
    await waitFor(() => lastListFilter(backend)?.job === undefined);
    expect(lastListFilter(backend)).toEqual({ status: 'archived', lastSeen: 'any', search: '' });
    expect(lastCountFilter(backend)).toEqual({ status: 'archived', lastSeen: 'any', search: '' });
    await waitFor(() => query(root, '#count').textContent === '33 users');
  });

  it('offers Show customers on the jobs done only, and opens the job from the panel', async () => {
    const { root, backend } = await mountTable();
    const archived = await schedule(root, [0, 1], '#bulk-archive');
    backend.now = () => Date.now() + 301_000;
    await waitFor(() => archived.getAttribute('data-state') === 'done');
    const cancelled = await backend.scheduleJob('activate', { kind: 'ids', ids: [fakeId(280)] });
    await backend.cancelJob(cancelled.id);
    await backend.scheduleJob('archive', { kind: 'ids', ids: [fakeId(5)] });

    const button = query<HTMLButtonElement>(root, '#jobs-button');
    await waitFor(() => button.textContent === '1 job pending');
    if (query(root, '#jobs-panel').hidden) button.click();
    const panel = query(root, '#jobs-panel');
    await waitFor(() => panel.querySelectorAll('li.job').length === 3);
    const hidden = Object.fromEntries(
      [...panel.querySelectorAll<HTMLElement>('li.job')].map((item) => [
        item.getAttribute('data-state'),
        query(item, 'button.job-show').hidden,
      ]),
    );
    expect(hidden).toEqual({ pending: true, done: false, cancelled: true });
    const show = query<HTMLButtonElement>(archived, 'button.job-show');
    expect(show.textContent).toBe('Show customers');

    show.click();
    expect(panel.hidden).toBe(true);
    await waitFor(() => lastListFilter(backend)?.job === archived.getAttribute('data-job-id'));
    expect(lastListFilter(backend)).toEqual({ status: 'archived', lastSeen: 'any', search: '', job: 'job-1' });
    expect(query(root, '#job-filter').textContent).toBe('Customers of: Archived 2 profiles');
    await waitFor(() => query(root, '#count').textContent === '2 users');
  });

  it('says so when the job is no longer listed, and leaves the table as it was', async () => {
    const { root, backend, app } = await mountTable();
    choose(query<HTMLSelectElement>(root, '#type-filter'), 'registered');
    await waitFor(() => lastListFilter(backend)?.kind === 'registered');
    const lists = backend.callsOf('list_profiles').length;
    const reads = backend.callsOf('jobs').length;

    openJob('job-404');
    const message = await waitFor(() => {
      const node = query(root, '#error-banner .message');
      return !query(root, '#error-banner').hidden && node;
    });
    expect(message.textContent).toContain('That job is no longer listed');
    expect(backend.callsOf('jobs').length).toBeGreaterThan(reads);
    await settle();
    const requests = backend.callsOf('list_profiles').slice(lists);
    expect(requests.some((c) => (c.args['request'] as { filter: ProfileFilter }).filter.job !== undefined)).toBe(false);
    expect(query(root, '#job-filter').hidden).toBe(true);
    expect(query<HTMLSelectElement>(root, '#type-filter').value).toBe('registered');

    // Once the app is gone, the event reaches nothing.
    app.destroy();
    const after = backend.calls.length;
    openJob('job-404');
    await settle();
    expect(backend.calls.length).toBe(after);
  });
});
