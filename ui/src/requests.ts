// The Details window's data-protection requests: "Request to Export User" and "Request to
// Delete User", each asked to confirm first, then queued at once (the server mails the request to
// the workspace's data-protection contact once it has synced); the customer's requests are listed
// with where each one's email stands.

import type { Backend } from './api';
import type { DataRequestKind } from './bindings/DataRequestKind';
import type { DataRequestState } from './bindings/DataRequestState';
import type { DataRequestView } from './bindings/DataRequestView';
import type { ProfileId } from './bindings/ProfileId';
import { clear, el } from './dom';
import { latestOnly } from './latest';

export interface RequestsOptions {
  readonly backend: Backend;
  /** A request was queued: it now waits to sync. */
  readonly onQueued: () => void;
  readonly onError: (error: unknown) => void;
}

export interface RequestsSection {
  readonly element: HTMLElement;
  load(profileId: ProfileId): Promise<void>;
  reset(): void;
}

const KIND_LABELS: Readonly<Record<DataRequestKind, string>> = {
  export: 'Export of the user’s data',
  delete: 'Deletion of the user’s data',
};

const STATE_LABELS: Readonly<Record<DataRequestState, string>> = {
  queued: 'Queued',
  sent: 'Sent to the data-protection contact',
  failed: 'Not sent yet',
};

function stateText(request: DataRequestView): string {
  if (request.pending) return 'Waiting to sync';
  if (request.state === 'sent' && request.sent !== undefined) return `${STATE_LABELS.sent} on ${request.sent}`;
  if (request.state === 'failed' && request.reason !== '') return `${STATE_LABELS.failed}: ${request.reason}`;
  return STATE_LABELS[request.state];
}

export function createRequestsSection(options: RequestsOptions): RequestsSection {
  const { backend } = options;
  const exportButton = el('button', { type: 'button', id: 'request-export', class: 'button-secondary' }, 'Request to Export User');
  const deleteButton = el('button', { type: 'button', id: 'request-delete', class: 'button-secondary' }, 'Request to Delete User');
  const actions = el('div', { class: 'request-actions' }, exportButton, deleteButton);
  const confirm = el('div', { id: 'request-confirm', class: 'note-confirm', role: 'group', hidden: true });
  const list = el('ul', { id: 'requests', class: 'record-list', hidden: true });
  const element = el(
    'section',
    { class: 'details-section', 'data-section': 'requests' },
    el('h3', { class: 'section-title' }, 'Data requests'),
    actions,
    confirm,
    list,
  );

  let profileId: ProfileId | undefined;
  const reads = latestOnly();

  function render(requests: readonly DataRequestView[]): void {
    clear(list);
    list.hidden = requests.length === 0;
    for (const request of requests) {
      list.append(
        el(
          'li',
          { class: 'record request', 'data-request': request.id, 'data-kind': request.kind },
          el('span', { class: 'record-title' }, KIND_LABELS[request.kind]),
          el('span', { class: 'record-meta' }, `${request.requestedBy} · ${request.requested}`),
          el('span', { class: 'record-meta request-state', 'data-state': request.pending ? 'pending' : request.state }, stateText(request)),
        ),
      );
    }
  }

  async function refresh(id: ProfileId): Promise<void> {
    const ticket = reads.begin();
    try {
      const requests = await backend.dataRequests(id);
      if (ticket.isCurrent() && profileId === id) render(requests);
    } catch (error) {
      options.onError(error);
    }
  }

  function ask(kind: DataRequestKind): void {
    const id = profileId;
    if (id === undefined) return;
    const question =
      kind === 'export'
        ? 'Ask the data-protection contact to export this user’s data?'
        : 'Ask the data-protection contact to delete this user’s data?';
    const yes = el('button', { type: 'button', id: 'request-confirm-yes', class: kind === 'delete' ? 'button-danger' : 'button-primary' }, 'Send request');
    const no = el('button', { type: 'button', id: 'request-confirm-no', class: 'button-secondary' }, 'Cancel');
    confirm.replaceChildren(el('span', {}, question), yes, no);
    confirm.setAttribute('aria-label', question);
    confirm.hidden = false;
    actions.hidden = true;
    no.focus();
    const done = (): void => {
      confirm.hidden = true;
      clear(confirm);
      actions.hidden = false;
    };
    no.addEventListener('click', done);
    yes.addEventListener('click', () => {
      void (async () => {
        yes.disabled = true;
        try {
          await backend.requestData(id, kind);
          options.onQueued();
          done();
          await refresh(id);
        } catch (error) {
          done();
          options.onError(error);
        }
      })();
    });
  }

  exportButton.addEventListener('click', () => ask('export'));
  deleteButton.addEventListener('click', () => ask('delete'));

  return {
    element,
    async load(id) {
      if (profileId !== id) {
        render([]);
        confirm.hidden = true;
        clear(confirm);
        actions.hidden = false;
      }
      profileId = id;
      await refresh(id);
    },
    reset() {
      profileId = undefined;
      reads.drop();
      render([]);
      confirm.hidden = true;
      clear(confirm);
      actions.hidden = false;
    },
  };
}
