import { describe, expect, it } from 'vitest';

import { FakeBackend, fakeId } from './testing/fakeBackend';
import { choose, mount, query, visibleRows, waitFor, type Mounted } from './testing/harness';

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
    await waitFor(() => backend.callsOf('list_jobs').length > 0);
    await backend.scheduleJob('archive', { kind: 'ids', ids: [fakeId(8)] });
    const button = query<HTMLButtonElement>(root, '#jobs-button');
    await waitFor(() => button.textContent === '1 job pending');
    expect(query(root, '#jobs-panel').hidden).toBe(true);
    await waitFor(() => mark(root, 8));
  });

  it('shows a failed read of the jobs in the banner, once', async () => {
    const backend = new FakeBackend({ rows: 300 });
    backend.failNext('list_jobs', { code: 'storage', message: 'The database is locked', fields: [] });
    backend.failNext('list_jobs', { code: 'storage', message: 'The database is locked', fields: [] });
    const { root } = await mountTable(backend, 5);
    await waitFor(() => query(root, '#error-banner .message').textContent === 'The database is locked');
    query<HTMLButtonElement>(root, '#error-banner button.dismiss').click();
    await waitFor(() => backend.callsOf('list_jobs').length >= 3);
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
