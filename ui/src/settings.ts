// The Settings dialog: signing in to the platform's server (the token goes to the system
// keychain, through the core), the time zone the core formats every time in, the delay before
// Active and Archive take effect, and "About Userdesk": the version, updates, the logs folder and
// the diagnostics to send to support.

import { errorMessage, isApiError, refusalText, type Backend } from './api';
import type { Account } from './bindings/Account';
import type { UpdateView } from './bindings/UpdateView';
import { clear, el, setText } from './dom';
import { formatNumber } from './format';

/** The longest delay of Active and Archive: a week, as the core allows. */
export const MAX_DELAY_MINUTES = 10_080;

/**
 * The delay typed, in minutes, as the whole seconds the core keeps ("0.5" is 30 seconds), or
 * `undefined` when it is not a number from 0 to a week.
 */
export function delaySeconds(minutes: string): number | undefined {
  const text = minutes.trim();
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text)) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value > MAX_DELAY_MINUTES) return undefined;
  return Math.round(value * 60);
}

/** Seconds as the minutes the field shows: 300 is "5", 30 is "0.5", 7 is "0.1167". */
export function delayMinutes(seconds: number): string {
  return String(Math.round((seconds / 60) * 10_000) / 10_000);
}

export interface SettingsOptions {
  readonly backend: Backend;
  /** The time zone was changed; every time on screen is out of date. */
  readonly onTimeZoneChanged: (timeZone: string) => void;
  /** Signed in or out: the status bar and the table change. */
  readonly onAccountChanged: () => void;
  /** The delay of Active and Archive changed, to `seconds`. */
  readonly onJobDelayChanged?: (seconds: number) => void;
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
  // Shown when the last manager here left edits the server never got: signing in as another
  // manager drops them, once confirmed with this button.
  const discardAndSignIn = el(
    'button',
    { type: 'button', id: 'account-discard-sign-in', class: 'button-danger', hidden: true },
    'Drop their edits and sign in',
  );
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
    el('div', { class: 'dialog-actions' }, discardAndSignIn, signIn),
  );
  const signedInPart = el('div', { class: 'account-signed-in', hidden: true }, summary, el('div', { class: 'dialog-actions' }, signOut));
  const delayInput = el('input', {
    id: 'job-delay',
    name: 'jobDelay',
    type: 'number',
    min: 0,
    max: MAX_DELAY_MINUTES,
    step: 'any',
    inputmode: 'decimal',
    'aria-describedby': 'job-delay-hint job-delay-error',
  });
  const delayError = el('span', { id: 'job-delay-error', class: 'field-error', role: 'alert', hidden: true });
  const versionLine = el('p', { id: 'about-version', class: 'about-version' });
  const updateMessage = el('p', { id: 'update-message', class: 'dialog-hint', role: 'status' });
  const checkUpdates = el('button', { type: 'button', id: 'update-check', class: 'button-secondary' }, 'Check for updates');
  const restartToUpdate = el('button', { type: 'button', id: 'update-restart', class: 'button-primary', hidden: true }, 'Restart to update');
  const openLogs = el('button', { type: 'button', id: 'open-logs', class: 'button-secondary' }, 'Open logs folder');
  const copyDiagnostics = el('button', { type: 'button', id: 'copy-diagnostics', class: 'button-secondary' }, 'Copy diagnostics');
  const aboutNote = el('p', { id: 'about-note', class: 'dialog-hint', role: 'status' });
  const about = el(
    'section',
    { id: 'about', class: 'dialog-section', 'aria-label': 'About Userdesk' },
    el('h3', { class: 'dialog-subtitle' }, 'About Userdesk'),
    versionLine,
    updateMessage,
    el('div', { class: 'about-actions' }, checkUpdates, restartToUpdate, openLogs, copyDiagnostics),
    aboutNote,
  );
  const message = el('p', { id: 'settings-error', class: 'dialog-error', role: 'alert', hidden: true });
  const save = el('button', { type: 'button', id: 'settings-save', class: 'button-primary' }, 'Save');
  const cancel = el('button', { type: 'button', id: 'settings-cancel', class: 'button-secondary' }, 'Cancel');
  const dialog = el(
    'section',
    { id: 'settings-dialog', class: 'dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'settings-title' },
    el('h2', { id: 'settings-title', class: 'dialog-title' }, 'Settings'),
    el('section', { id: 'account', class: 'dialog-section', 'aria-label': 'Account' }, el('h3', { class: 'dialog-subtitle' }, 'Account'), signedOutPart, signedInPart),
    // The help page's "the time zone specified on your profile".
    el('h3', { id: 'your-profile', class: 'dialog-subtitle' }, 'Your profile'),
    el(
      'label',
      { class: 'dialog-field' },
      el('span', { class: 'dialog-label' }, 'Time zone'),
      el('span', { class: 'dialog-select' }, zoneSelect),
      el('span', { class: 'dialog-hint' }, "Created, Last seen and the bot sessions' times are shown in this time zone."),
    ),
    el(
      'label',
      { class: 'dialog-field job-delay-field' },
      el('span', { class: 'dialog-label' }, 'Delay of Active and Archive'),
      el('span', { class: 'delay-input' }, delayInput, el('span', { class: 'delay-unit' }, 'minutes')),
      el(
        'span',
        { id: 'job-delay-hint', class: 'dialog-hint' },
        `Active and Archive on selected customers take effect this long after the click, and can be cancelled until then: 0 to ${formatNumber(MAX_DELAY_MINUTES)} minutes (a week); 0.5 is 30 seconds.`,
      ),
      delayError,
    ),
    about,
    message,
    el('div', { class: 'dialog-actions' }, cancel, save),
  );
  const element = el('div', { class: 'backdrop', hidden: true }, dialog);

  let trigger: HTMLElement | undefined;
  let zonesLoaded = false;
  let busy = false;
  /** The delay the core has, seconds (`undefined` until it was read). */
  let savedDelay: number | undefined;

  function showError(error: unknown): void {
    discardAndSignIn.hidden = !(isApiError(error) && error.code === 'pending_of_another_manager');
    setText(message, errorMessage(error));
    message.hidden = false;
  }

  function showDelayError(text: string | undefined): void {
    delayError.hidden = text === undefined;
    setText(delayError, text ?? '');
    delayInput.setAttribute('aria-invalid', String(text !== undefined));
  }

  function close(): void {
    if (element.hidden) return;
    element.hidden = true;
    message.hidden = true;
    showDelayError(undefined);
    trigger?.focus();
    trigger = undefined;
  }

  async function loadZones(): Promise<void> {
    const [zones, current] = await Promise.all([
      zonesLoaded ? Promise.resolve(undefined) : backend.timeZoneNames(),
      backend.timeZone(),
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

  function showUpdate(view: UpdateView): void {
    setText(versionLine, `Userdesk ${view.version}`);
    const checked = view.checked === undefined ? '' : ` Last checked ${view.checked}.`;
    setText(updateMessage, `${view.message}${checked}`);
    updateMessage.dataset.status = view.status;
    checkUpdates.hidden = !view.canCheck;
    restartToUpdate.hidden = view.status !== 'ready';
  }

  /** Runs an About button's action; its refusal shows under the buttons and changes nothing. */
  async function aboutAction(button: HTMLButtonElement, action: () => Promise<void>): Promise<void> {
    if (button.disabled) return;
    button.disabled = true;
    setText(aboutNote, '');
    try {
      await action();
    } catch (error) {
      setText(aboutNote, errorMessage(error));
    } finally {
      button.disabled = false;
    }
  }

  checkUpdates.addEventListener('click', () =>
    void aboutAction(checkUpdates, async () => {
      setText(updateMessage, 'Checking for updates…');
      try {
        showUpdate(await backend.checkForUpdates());
      } catch (error) {
        showUpdate(await backend.updateView());
        throw error;
      }
    }),
  );
  restartToUpdate.addEventListener('click', () =>
    void aboutAction(restartToUpdate, async () => {
      setText(aboutNote, 'Installing the update; Userdesk restarts…');
      await backend.restartToUpdate();
    }),
  );
  openLogs.addEventListener('click', () => void aboutAction(openLogs, () => backend.openLogsFolder()));
  copyDiagnostics.addEventListener('click', () =>
    void aboutAction(copyDiagnostics, async () => {
      await backend.copyDiagnostics();
      setText(aboutNote, 'Diagnostics copied: paste them into your message to support. They hold no token and no customer\'s data.');
    }),
  );

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
    discardAndSignIn.disabled = true;
    message.hidden = true;
    try {
      showAccount(await action());
      discardAndSignIn.hidden = true;
      tokenInput.value = '';
      options.onAccountChanged();
    } catch (error) {
      showError(error);
    } finally {
      busy = false;
      signIn.disabled = false;
      signOut.disabled = false;
      discardAndSignIn.disabled = false;
    }
  }

  signIn.addEventListener('click', () =>
    void accountAction(() => backend.signIn({ serverUrl: serverInput.value, token: tokenInput.value })),
  );
  discardAndSignIn.addEventListener('click', () =>
    void accountAction(() =>
      backend.signIn({ serverUrl: serverInput.value, token: tokenInput.value, discardPending: true }),
    ),
  );
  signOut.addEventListener('click', () =>
    void accountAction(async () => {
      await backend.signOut();
      return undefined;
    }),
  );

  /** Saves the zone, then the delay if it was changed; the dialog stays open on a refusal. */
  async function saveAll(delay: number | undefined): Promise<void> {
    let zone: string;
    try {
      zone = await backend.setTimeZone(zoneSelect.value);
    } catch (error) {
      showError(error);
      return;
    }
    let refused = false;
    if (delay !== undefined && delay !== savedDelay) {
      try {
        savedDelay = await backend.setJobDelay(delay);
        options.onJobDelayChanged?.(savedDelay);
      } catch (error) {
        showDelayError(refusalText(error));
        refused = true;
      }
    }
    if (refused) delayInput.focus();
    else close();
    // The zone is kept even when the delay was refused: every time on screen follows it.
    options.onTimeZoneChanged(zone);
  }

  save.addEventListener('click', () => {
    if (busy) return;
    message.hidden = true;
    // A delay that could not be read and was left empty is not saved; one that is not a delay is
    // refused here, before anything is saved.
    const unread = savedDelay === undefined && delayInput.value.trim() === '';
    const delay = unread ? undefined : delaySeconds(delayInput.value);
    if (!unread && delay === undefined) {
      showDelayError(`Write a number of minutes from 0 to ${formatNumber(MAX_DELAY_MINUTES)} (a week).`);
      delayInput.focus();
      return;
    }
    showDelayError(undefined);
    busy = true;
    save.disabled = true;
    void saveAll(delay).finally(() => {
      busy = false;
      save.disabled = false;
    });
  });
  cancel.addEventListener('click', () => close());
  element.addEventListener('click', (event) => {
    if (event.target === element) close();
  });
  // The dialog is modal: Tab cycles through its controls instead of leaving for the page behind.
  dialog.addEventListener('keydown', (event) => {
    if (event.key !== 'Tab') return;
    const focusable = [
      serverInput,
      tokenInput,
      signIn,
      signOut,
      zoneSelect,
      delayInput,
      checkUpdates,
      restartToUpdate,
      openLogs,
      copyDiagnostics,
      cancel,
      save,
    ].filter(
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
      showDelayError(undefined);
      element.hidden = false;
      save.disabled = true;
      setText(aboutNote, '');
      // What the last update check found; a failure to read it leaves the rest usable.
      void backend.updateView().then(showUpdate, (error: unknown) => setText(updateMessage, errorMessage(error)));
      try {
        const [view, delay] = await Promise.all([
          backend.syncView(),
          // The delay failing to load leaves the rest of Settings usable.
          backend.jobDelay().catch((error: unknown) => {
            showDelayError(refusalText(error));
            return undefined;
          }),
          loadZones(),
        ]);
        showAccount(view.account);
        savedDelay = delay;
        delayInput.value = delay === undefined ? '' : delayMinutes(delay);
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
