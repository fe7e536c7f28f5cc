// The status bar under the table: online or offline, pending edits, the last sync (in the
// manager's time zone), a progress bar while a workspace downloads for the first time, the last
// error, "Sync now", and the edits not kept (refused by the server, or replaced by a colleague's
// later edit), each with its reason, Dismiss, and for a replaced edit "See history".

import { errorMessage, type Backend } from './api';
import type { ProfileId } from './bindings/ProfileId';
import type { SyncView } from './bindings/SyncView';
import { clear, el, setText } from './dom';

export interface SyncBarOptions {
  readonly backend: Backend;
  /** A sync completed: the table may show stale rows. */
  readonly onSynced: () => void;
  /** "See history" beside an edit a colleague replaced: the customer's Details at History. */
  readonly onSeeHistory?: (id: ProfileId) => void;
  /** How often the bar asks the core where sync stands, ms. */
  readonly pollInterval?: number;
  readonly signal: AbortSignal;
}

export interface SyncBar {
  readonly element: HTMLElement;
  /** Asks the core again at once (after signing in or out). */
  refresh(): Promise<void>;
}

const COUNT = new Intl.NumberFormat('en-US');

function plural(n: number, one: string, many: string): string {
  return `${COUNT.format(n)} ${n === 1 ? one : many}`;
}

export function createSyncBar(options: SyncBarOptions): SyncBar {
  const { backend } = options;
  const state = el('span', { id: 'sync-state', class: 'sync-state', 'data-state': 'local' }, 'Not signed in');
  const pending = el('span', { id: 'sync-pending', class: 'sync-pending' });
  const last = el('span', { id: 'sync-last', class: 'sync-last' });
  const progress = el('progress', { id: 'sync-progress', class: 'sync-progress', hidden: true });
  const progressText = el('span', { id: 'sync-progress-text', class: 'sync-progress-text', hidden: true });
  const error = el('span', { id: 'sync-error', class: 'sync-error', role: 'alert', hidden: true });
  const syncNow = el('button', { type: 'button', id: 'sync-now', class: 'button-secondary', hidden: true }, 'Sync now');
  // Offered only when sync stopped because the server was restored from an older backup.
  const recover = el('button', { type: 'button', id: 'sync-recover', class: 'button-secondary', hidden: true }, 'Download again');
  const recovered = el('span', { id: 'sync-recovered', class: 'sync-recovered', role: 'status', hidden: true });
  const refusedToggle = el('button', { type: 'button', id: 'sync-refused-toggle', class: 'sync-refused-toggle', hidden: true, 'aria-expanded': 'false', 'aria-controls': 'sync-refused' });
  const refusedList = el('ul', { id: 'sync-refused', class: 'sync-refused', hidden: true, 'aria-label': 'Edits the server refused, or that a later edit replaced' });
  const element = el(
    'footer',
    { id: 'sync-bar', class: 'sync-bar', role: 'status', 'aria-live': 'polite' },
    el('div', { class: 'sync-line' }, state, pending, last, progress, progressText, error, recover, recovered, refusedToggle, syncNow),
    refusedList,
  );

  let lastSynced: string | undefined;
  let looked = false;
  let busy = false;

  function render(view: SyncView): void {
    const signedIn = view.account !== undefined;
    let label: string;
    let kind: string;
    if (!signedIn) {
      label = 'Not signed in: edits stay on this computer';
      kind = 'local';
    } else if (view.syncing) {
      label = 'Syncing…';
      kind = 'syncing';
    } else if (view.online === false) {
      label = 'Offline: edits are kept and sent later';
      kind = 'offline';
    } else {
      label = `Online: ${view.account?.workspace ?? ''}`;
      kind = 'online';
    }
    setText(state, label);
    state.setAttribute('data-state', kind);
    setText(pending, view.pending === 0 ? 'No pending edits' : `${plural(view.pending, 'edit', 'edits')} waiting to sync`);
    pending.setAttribute('data-count', String(view.pending));
    setText(last, view.lastSynced === undefined ? 'Never synced' : `Last sync ${view.lastSynced}`);

    const first = view.firstSync;
    progress.hidden = first === undefined;
    progressText.hidden = first === undefined;
    if (first !== undefined) {
      const total = first.total;
      if (total === undefined || total === 0) {
        // Until the server says how many records will come, the bar runs without a value.
        progress.removeAttribute('value');
        progress.removeAttribute('max');
        setText(progressText, `Downloading the workspace: ${plural(first.pulled, 'record', 'records')}`);
      } else {
        const done = Math.min(first.pulled, total);
        progress.max = total;
        progress.value = done;
        const percent = Math.floor((done / total) * 100);
        setText(
          progressText,
          `Downloading the workspace: ${COUNT.format(done)} of ${plural(total, 'record', 'records')} (${percent}%)`,
        );
      }
    }

    error.hidden = view.error === undefined;
    if (view.error !== undefined) setText(error, view.error.message);
    recover.hidden = view.error?.code !== 'server_rolled_back';
    recover.disabled = view.syncing || busy;
    syncNow.hidden = !signedIn;
    syncNow.disabled = view.syncing || busy;

    const refused = view.rejections;
    refusedToggle.hidden = refused.length === 0;
    setText(refusedToggle, plural(refused.length, 'edit not kept', 'edits not kept'));
    if (refused.length === 0) {
      refusedList.hidden = true;
      refusedToggle.setAttribute('aria-expanded', 'false');
    }
    clear(refusedList);
    for (const rejection of refused) {
      const dismiss = el('button', { type: 'button', class: 'button-secondary sync-dismiss', 'data-mutation': rejection.mutation_id }, 'Dismiss');
      dismiss.addEventListener('click', () => void run(() => backend.dismissRejection(rejection.mutation_id)));
      const item = el(
        'li',
        { class: 'sync-refused-item', 'data-mutation': rejection.mutation_id },
        el('span', { class: 'sync-refused-reason' }, rejection.message),
      );
      const customer = rejection.profile_id;
      const seeHistory = options.onSeeHistory;
      if (customer !== undefined && seeHistory !== undefined) {
        const link = el('button', { type: 'button', class: 'button-secondary sync-see-history' }, 'See history');
        link.addEventListener('click', () => seeHistory(customer));
        item.append(link);
      }
      item.append(dismiss);
      refusedList.append(item);
    }

    // A sync completed since the last look (the first look only notes where things stand).
    if (looked && view.lastSynced !== lastSynced) options.onSynced();
    looked = true;
    lastSynced = view.lastSynced;
  }

  async function refresh(): Promise<void> {
    try {
      render(await backend.syncView());
    } catch (e) {
      error.hidden = false;
      setText(error, errorMessage(e));
    }
  }

  /** Runs an action of the bar, then shows where sync stands; its failure shows in the bar. */
  async function run(action: () => Promise<void>): Promise<void> {
    if (busy) return;
    busy = true;
    syncNow.disabled = true;
    try {
      await action();
    } catch (e) {
      error.hidden = false;
      setText(error, errorMessage(e));
      busy = false;
      return;
    }
    busy = false;
    await refresh();
  }

  syncNow.addEventListener('click', () => void run(() => backend.syncNow()));
  recover.addEventListener('click', () =>
    void run(async () => {
      const lost = await backend.recoverSync();
      recovered.hidden = false;
      setText(
        recovered,
        lost === 0
          ? 'Downloaded again from the server; nothing was lost.'
          : `Downloaded again from the server; it no longer holds ${plural(lost, 'edit', 'edits')} it had confirmed.`,
      );
    }),
  );
  refusedToggle.addEventListener('click', () => {
    refusedList.hidden = !refusedList.hidden;
    refusedToggle.setAttribute('aria-expanded', String(!refusedList.hidden));
  });
  window.addEventListener('online', () => void backend.backOnline().then(refresh, refresh), { signal: options.signal });
  const timer = setInterval(() => void refresh(), options.pollInterval ?? 1500);
  options.signal.addEventListener('abort', () => clearInterval(timer));
  void refresh();

  return { element, refresh };
}
