// The Settings dialog: signing in to the platform's server (the token goes to the system
// keychain, through the core) and the time zone the core formats every time in.

import { errorMessage, type Backend } from './api';
import type { Account } from './bindings/Account';
import { clear, el, setText } from './dom';

export interface SettingsOptions {
  readonly backend: Backend;
  /** The time zone was changed; every time on screen is out of date. */
  readonly onTimeZoneChanged: (timeZone: string) => void;
  /** Signed in or out: the status bar and the table change. */
  readonly onAccountChanged: () => void;
}

export interface SettingsDialog {
  readonly element: HTMLElement;
  open(trigger?: HTMLElement): Promise<void>;
  close(): void;
  isOpen(): boolean;
}

export function createSettingsDialog(options: SettingsOptions): SettingsDialog {
  const { backend } = options;

  const zoneSelect = el('select', { id: 'time-zone', name: 'timeZone' });
  const serverInput = el('input', { id: 'account-server', name: 'serverUrl', type: 'url', placeholder: 'https://users.example.com', autocomplete: 'url', spellcheck: 'false' });
  const tokenInput = el('input', { id: 'account-token', name: 'token', type: 'password', placeholder: 'udt_…', autocomplete: 'off', spellcheck: 'false' });
  const signIn = el('button', { type: 'button', id: 'account-sign-in', class: 'button-primary' }, 'Sign in');
  const signOut = el('button', { type: 'button', id: 'account-sign-out', class: 'button-secondary' }, 'Sign out');
  const summary = el('p', { id: 'account-summary', class: 'dialog-hint' });
  const signedOutPart = el(
    'div',
    { class: 'account-form' },
    el('label', { class: 'dialog-field' }, el('span', { class: 'dialog-label' }, 'Server'), serverInput),
    el(
      'label',
      { class: 'dialog-field' },
      el('span', { class: 'dialog-label' }, 'Token'),
      tokenInput,
      el('span', { class: 'dialog-hint' }, 'Kept in the system keychain, never in Userdesk\'s files.'),
    ),
    el('div', { class: 'dialog-actions' }, signIn),
  );
  const signedInPart = el('div', { class: 'account-signed-in', hidden: true }, summary, el('div', { class: 'dialog-actions' }, signOut));
  const message = el('p', { id: 'settings-error', class: 'dialog-error', role: 'alert', hidden: true });
  const save = el('button', { type: 'button', id: 'settings-save', class: 'button-primary' }, 'Save');
  const cancel = el('button', { type: 'button', id: 'settings-cancel', class: 'button-secondary' }, 'Cancel');
  const dialog = el(
    'section',
    { id: 'settings-dialog', class: 'dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'settings-title' },
    el('h2', { id: 'settings-title', class: 'dialog-title' }, 'Settings'),
    el('section', { id: 'account', class: 'dialog-section', 'aria-label': 'Account' }, el('h3', { class: 'dialog-subtitle' }, 'Account'), signedOutPart, signedInPart),
    el(
      'label',
      { class: 'dialog-field' },
      el('span', { class: 'dialog-label' }, 'Time zone'),
      el('span', { class: 'dialog-select' }, zoneSelect),
      el('span', { class: 'dialog-hint' }, 'Created and Last seen are shown in this time zone.'),
    ),
    message,
    el('div', { class: 'dialog-actions' }, cancel, save),
  );
  const element = el('div', { class: 'backdrop', hidden: true }, dialog);

  let trigger: HTMLElement | undefined;
  let zonesLoaded = false;
  let busy = false;

  function showError(error: unknown): void {
    setText(message, errorMessage(error));
    message.hidden = false;
  }

  function close(): void {
    if (element.hidden) return;
    element.hidden = true;
    message.hidden = true;
    trigger?.focus();
    trigger = undefined;
  }

  async function loadZones(): Promise<void> {
    const [zones, current] = await Promise.all([
      zonesLoaded ? Promise.resolve(undefined) : backend.listTimeZones(),
      backend.getTimeZone(),
    ]);
    if (zones !== undefined) {
      clear(zoneSelect);
      for (const zone of zones) zoneSelect.append(el('option', { value: zone }, zone.replace(/_/g, ' ')));
      zonesLoaded = true;
    }
    if (![...zoneSelect.options].some((o) => o.value === current)) {
      zoneSelect.append(el('option', { value: current }, current.replace(/_/g, ' ')));
    }
    zoneSelect.value = current;
  }

  function showAccount(account: Account | undefined): void {
    signedInPart.hidden = account === undefined;
    signedOutPart.hidden = account !== undefined;
    if (account !== undefined) {
      setText(summary, `Signed in to ${account.workspace} as ${account.manager} (${account.role}) at ${account.serverUrl}.`);
    }
  }

  /** Runs a sign-in or sign-out; its failure shows in the dialog and changes nothing. */
  async function accountAction(action: () => Promise<Account | undefined>): Promise<void> {
    if (busy) return;
    busy = true;
    signIn.disabled = true;
    signOut.disabled = true;
    message.hidden = true;
    try {
      showAccount(await action());
      tokenInput.value = '';
      options.onAccountChanged();
    } catch (error) {
      showError(error);
    } finally {
      busy = false;
      signIn.disabled = false;
      signOut.disabled = false;
    }
  }

  signIn.addEventListener('click', () =>
    void accountAction(() => backend.signIn({ serverUrl: serverInput.value, token: tokenInput.value })),
  );
  signOut.addEventListener('click', () =>
    void accountAction(async () => {
      await backend.signOut();
      return undefined;
    }),
  );

  save.addEventListener('click', async () => {
    if (busy) return;
    busy = true;
    save.disabled = true;
    message.hidden = true;
    try {
      const zone = await backend.setTimeZone(zoneSelect.value);
      close();
      options.onTimeZoneChanged(zone);
    } catch (error) {
      showError(error);
    } finally {
      busy = false;
      save.disabled = false;
    }
  });
  cancel.addEventListener('click', () => close());
  element.addEventListener('click', (event) => {
    if (event.target === element) close();
  });
  // The dialog is modal: Tab cycles through its controls instead of leaving for the page behind.
  dialog.addEventListener('keydown', (event) => {
    if (event.key !== 'Tab') return;
    const focusable = [serverInput, tokenInput, signIn, signOut, zoneSelect, cancel, save].filter(
      (node) => !node.disabled && node.closest('[hidden]') === null,
    );
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (first === undefined || last === undefined) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });

  return {
    element,
    async open(from) {
      trigger = from;
      message.hidden = true;
      element.hidden = false;
      save.disabled = true;
      try {
        const [view] = await Promise.all([backend.syncView(), loadZones()]);
        showAccount(view.account);
        save.disabled = false;
        zoneSelect.focus();
      } catch (error) {
        showError(error);
      }
    },
    close,
    isOpen: () => !element.hidden,
  };
}
