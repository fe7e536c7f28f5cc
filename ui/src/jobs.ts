// The jobs of Active and Archive: a button in the header ("2 jobs pending") opening a small panel
// that lists each job with what it does, where it stands, a countdown to when it fires and, until
// then, Cancel. The core fires the jobs and sends the system notification; this panel only reads
// them, every few seconds while one is pending or running (less often otherwise), and tells the
// app when one completed (the statuses of its customers changed), was cancelled (their marks went)
// or was scheduled elsewhere, from the command line (their marks came). A job done offers "Show
// customers": the All users table then shows the customers it changed, as a click on its system
// notification does.

import { refusalText, type Backend } from './api';
import type { JobAction } from './bindings/JobAction';
import type { JobId } from './bindings/JobId';
import type { JobState } from './bindings/JobState';
import type { JobView } from './bindings/JobView';
import type { ProfileStatus } from './bindings/ProfileStatus';
import { el, setText } from './dom';
import { formatCountdown, formatNumber, jobSummary, jobTitle } from './format';
import { closeIcon } from './icons';
import { latestOnly } from './latest';

export interface JobsPanelOptions {
  readonly backend: Backend;
  /** A job completed, was cancelled, or came from elsewhere: the rows' statuses or marks changed. */
  readonly onRowsChanged: () => void;
  /** A failed read of the jobs. */
  readonly onError: (error: unknown) => void;
  /** "Show customers" on a job done: the table is to show the customers it changed. */
  readonly onShowCustomers: (job: JobView) => void;
  /** How often the jobs are read while one is pending or running, ms. */
  readonly pollInterval?: number;
  /** Stops the polling and the countdown when aborted. */
  readonly signal: AbortSignal;
}

export interface JobsPanel {
  /** The button and its panel, for the header. */
  readonly element: HTMLElement;
  /** Reads the jobs at once, then goes on polling. */
  refresh(): Promise<void>;
  /** Shows a job just scheduled, opens the panel and moves focus into it. */
  showScheduled(job: JobView): void;
  /**
   * The job with this id as the core lists it now: the one shown when it is done already, else
   * read again (a job just completed may still show as running). `undefined` when it is no longer
   * listed; a failed read rejects.
   */
  find(id: JobId): Promise<JobView | undefined>;
  close(): void;
}

/**
 * The window event of a click on a job's system notification: the shell shows the window and
 * dispatches it with the job's id as its detail, and the table shows the job's customers.
 */
export const OPEN_JOB_EVENT = 'userdesk:open-job';

/** The status a job leaves its customers in. */
export const JOB_STATUS: Readonly<Record<JobAction, ProfileStatus>> = {
  activate: 'active',
  archive: 'archived',
};

/** How long a job done or cancelled keeps the button in the header, after its time, ms. */
export const RECENT_MS = 24 * 60 * 60 * 1000;
const DEFAULT_POLL_MS = 3000;
/** With nothing due the jobs are still read now and then, this many times less often: a job may
 * come from elsewhere (the command line), and finished ones stop being recent. */
const IDLE_POLL_FACTOR = 10;

const STATE_LABELS: Readonly<Record<JobState, string>> = {
  pending: 'Pending',
  running: 'Running',
  done: 'Done',
  cancelled: 'Cancelled',
};

const isActive = (job: JobView): boolean => job.state === 'pending' || job.state === 'running';

interface JobItem {
  readonly element: HTMLLIElement;
  readonly title: HTMLElement;
  readonly state: HTMLElement;
  readonly countdown: HTMLElement;
  readonly time: HTMLElement;
  readonly cancel: HTMLButtonElement;
  readonly show: HTMLButtonElement;
  readonly error: HTMLElement;
  job: JobView;
}

/** "2 jobs pending", "1 job running", "3 jobs: 2 pending, 1 running"; "Jobs" for recent ones only. */
function buttonLabel(pending: number, running: number): string {
  const jobs = (n: number): string => `${formatNumber(n)} ${n === 1 ? 'job' : 'jobs'}`;
  if (pending === 0 && running === 0) return 'Jobs';
  if (running === 0) return `${jobs(pending)} pending`;
  if (pending === 0) return `${jobs(running)} running`;
  return `${jobs(pending + running)}: ${formatNumber(pending)} pending, ${formatNumber(running)} running`;
}

export function createJobsPanel(options: JobsPanelOptions): JobsPanel {
  const { backend, signal } = options;
  const pollInterval = options.pollInterval ?? DEFAULT_POLL_MS;

  const button = el(
    'button',
    { type: 'button', id: 'jobs-button', class: 'jobs-button', 'aria-expanded': 'false', 'aria-controls': 'jobs-panel', hidden: true },
    'Jobs',
  );
  const heading = el('h2', { id: 'jobs-title', class: 'jobs-title', tabindex: -1 }, 'Active and Archive');
  const closeButton = el(
    'button',
    { type: 'button', id: 'jobs-close', class: 'icon-button jobs-close', 'aria-label': 'Close', title: 'Close' },
    closeIcon(),
  );
  const list = el('ul', { id: 'jobs-list', class: 'jobs-list', 'aria-labelledby': 'jobs-title' });
  const empty = el('p', { id: 'jobs-empty', class: 'jobs-empty', hidden: true }, 'No jobs.');
  const panel = el(
    'section',
    { id: 'jobs-panel', class: 'jobs-panel', role: 'region', 'aria-labelledby': 'jobs-title', hidden: true },
    el('div', { class: 'jobs-header' }, heading, closeButton),
    el('p', { class: 'jobs-hint' }, 'They take effect after the delay set in Settings, and can be cancelled until then.'),
    list,
    empty,
  );
  const element = el('div', { class: 'jobs' }, button, panel);

  const items = new Map<JobId, JobItem>();
  /** What each job was at the last read, to see which have completed since. */
  let known = new Map<JobId, JobState>();
  /** Whether the jobs were read once: jobs unknown after that were scheduled elsewhere. */
  let loaded = false;
  /** The reads of the jobs, by poll or by find(): only the latest is shown. */
  const reads = latestOnly();
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let tickTimer: ReturnType<typeof setInterval> | undefined;
  /** The last read failed: the next failures are not shown again, the banner already says so. */
  let failing = false;

  function createItem(job: JobView): JobItem {
    const title = el('span', { class: 'job-title' });
    const state = el('span', { class: 'job-state' });
    const countdown = el('span', { class: 'job-countdown' });
    const time = el('span', { class: 'job-time' });
    const cancel = el('button', { type: 'button', class: 'button-secondary job-cancel' }, 'Cancel');
    const show = el('button', { type: 'button', class: 'button-secondary job-show' }, 'Show customers');
    const error = el('p', { class: 'job-error', role: 'alert', hidden: true });
    const element = el(
      'li',
      { class: 'job', 'data-job-id': job.id },
      el('div', { class: 'job-line' }, title, countdown, cancel, show),
      el('div', { class: 'job-line job-meta' }, state, time),
      error,
    );
    const item: JobItem = { element, title, state, countdown, time, cancel, show, error, job };
    cancel.addEventListener('click', () => void cancelJob(item));
    show.addEventListener('click', () => {
      close();
      options.onShowCustomers(item.job);
    });
    return item;
  }

  function fillItem(item: JobItem, job: JobView): void {
    item.job = job;
    const title = jobTitle(job.action, job.total);
    item.element.setAttribute('data-state', job.state);
    item.element.setAttribute('data-action', job.action);
    setText(item.title, title);
    let state = STATE_LABELS[job.state];
    if (job.state === 'running') state = `Running: ${formatNumber(job.applied)} of ${formatNumber(job.total)}`;
    if (job.state === 'done') state = `Done: ${jobSummary(job.action, job.applied)}`;
    setText(item.state, state);
    const when: Readonly<Record<JobState, string>> = {
      pending: `at ${job.runAt}`,
      running: `since ${job.runAt}`,
      done: `at ${job.completed ?? job.runAt}`,
      cancelled: `was due ${job.runAt}`,
    };
    setText(item.time, when[job.state]);
    const pending = job.state === 'pending';
    item.countdown.hidden = !pending;
    item.cancel.hidden = !pending;
    item.cancel.setAttribute('aria-label', `Cancel: ${title}`);
    // Only a job done has changed customers to show.
    item.show.hidden = job.state !== 'done';
    if (pending) setText(item.countdown, formatCountdown(job.runAtMs - Date.now()));
  }

  function render(jobs: readonly JobView[]): void {
    // Pending and running first, by when they fire; then the others, the latest first.
    const active = jobs.filter(isActive).sort((a, b) => a.runAtMs - b.runAtMs);
    const finished = jobs.filter((j) => !isActive(j)).sort((a, b) => b.runAtMs - a.runAtMs);
    const ordered = [...active, ...finished];
    const seen = new Set<JobId>();
    const nodes: HTMLLIElement[] = [];
    for (const job of ordered) {
      seen.add(job.id);
      let item = items.get(job.id);
      if (item === undefined) {
        item = createItem(job);
        items.set(job.id, item);
      }
      fillItem(item, job);
      nodes.push(item.element);
    }
    for (const [id, item] of items) {
      if (!seen.has(id)) {
        item.element.remove();
        items.delete(id);
      }
    }
    // Nodes are moved only when the order changed, so a focused Cancel keeps its focus.
    const current = [...list.children];
    if (current.length !== nodes.length || current.some((node, i) => node !== nodes[i])) list.replaceChildren(...nodes);
    empty.hidden = ordered.length > 0;

    const pending = active.filter((j) => j.state === 'pending').length;
    const running = active.length - pending;
    const now = Date.now();
    const recent = finished.some((j) => j.runAtMs > now - RECENT_MS);
    button.hidden = active.length === 0 && !recent;
    if (button.hidden) close();
    setText(button, buttonLabel(pending, running));
    button.setAttribute('data-active', String(active.length));
    tick(pending > 0);
  }

  /** Runs the one-second countdown while a job is pending. */
  function tick(on: boolean): void {
    if (on && tickTimer === undefined && !signal.aborted) {
      tickTimer = setInterval(() => {
        for (const item of items.values()) {
          if (item.job.state === 'pending') setText(item.countdown, formatCountdown(item.job.runAtMs - Date.now()));
        }
      }, 1000);
    } else if (!on && tickTimer !== undefined) {
      clearInterval(tickTimer);
      tickTimer = undefined;
    }
  }

  function schedulePoll(jobs: readonly JobView[]): void {
    clearTimeout(pollTimer);
    pollTimer = undefined;
    if (signal.aborted) return;
    pollTimer = setTimeout(() => void refresh(), jobs.some(isActive) ? pollInterval : pollInterval * IDLE_POLL_FACTOR);
  }

  async function refresh(): Promise<void> {
    const ticket = reads.begin();
    let jobs: JobView[];
    try {
      jobs = await backend.jobs();
    } catch (error) {
      if (!ticket.isCurrent() || signal.aborted) return;
      if (!failing) options.onError(error);
      failing = true;
      schedulePoll([]);
      return;
    }
    if (!ticket.isCurrent() || signal.aborted) return;
    failing = false;
    apply(jobs);
  }

  /** Shows the jobs just read, and tells the app when rows changed since the last read. */
  function apply(jobs: readonly JobView[]): void {
    // A job that ended before the app started changed nothing since the rows were read.
    const rowsChanged = jobs.some((job) => {
      const before = known.get(job.id);
      if (before === undefined) return loaded && isActive(job);
      return before !== job.state && (job.state === 'done' || job.state === 'cancelled');
    });
    known = new Map(jobs.map((job) => [job.id, job.state]));
    loaded = true;
    render(jobs);
    schedulePoll(jobs);
    if (rowsChanged) options.onRowsChanged();
  }

  async function find(id: JobId): Promise<JobView | undefined> {
    const shown = items.get(id)?.job;
    if (shown?.state === 'done') return shown;
    // This read replaces any under way, and is shown as the polls' reads are.
    const ticket = reads.begin();
    let jobs: JobView[];
    try {
      jobs = await backend.jobs();
    } catch (error) {
      // The poll this read replaced is set again; the caller shows why the read failed.
      if (ticket.isCurrent()) schedulePoll([...items.values()].map((item) => item.job));
      throw error;
    }
    if (ticket.isCurrent() && !signal.aborted) {
      failing = false;
      apply(jobs);
    }
    return jobs.find((job) => job.id === id);
  }

  async function cancelJob(item: JobItem): Promise<void> {
    const id = item.job.id;
    const hadFocus = document.activeElement === item.cancel;
    item.cancel.disabled = true;
    item.error.hidden = true;
    try {
      // The read below sees it cancelled, and has the rows read again without their mark.
      await backend.cancelJob(id);
    } catch (error) {
      // Most likely it fired meanwhile: the reason stays beside the job, which the read below updates.
      item.error.hidden = false;
      setText(item.error, refusalText(error));
    } finally {
      item.cancel.disabled = false;
    }
    await refresh();
    // The button goes with the pending state: focus stays in the panel rather than on nothing.
    if (hadFocus && !panel.hidden && (item.cancel.hidden || !item.element.isConnected)) heading.focus();
  }

  function open(): void {
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
  }

  function close(): void {
    if (panel.hidden) return;
    const hadFocus = panel.contains(document.activeElement);
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (hadFocus && !button.hidden) button.focus();
  }

  button.addEventListener('click', () => {
    if (panel.hidden) {
      open();
      void refresh();
    } else {
      close();
    }
  });
  closeButton.addEventListener('click', () => close());
  element.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || panel.hidden) return;
    // The window's Escape (closing Details) must not run too.
    event.preventDefault();
    close();
  });
  document.addEventListener(
    'pointerdown',
    (event) => {
      if (!panel.hidden && event.target instanceof Node && !element.contains(event.target)) close();
    },
    { signal },
  );
  signal.addEventListener('abort', () => {
    clearTimeout(pollTimer);
    clearInterval(tickTimer);
  });

  void refresh();

  return {
    element,
    refresh,
    showScheduled(job) {
      known.set(job.id, job.state);
      const jobs = [...items.values()].map((item) => item.job).filter((j) => j.id !== job.id);
      render([job, ...jobs]);
      open();
      heading.focus();
      void refresh();
    },
    find,
    close,
  };
}
