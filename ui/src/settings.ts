// The Settings dialog. For now it holds the time zone the core formats every time in.

import { errorMessage, type Backend } from './api';
import { clear, el, setText } from './dom';

export interface SettingsOptions {
  readonly backend: Backend;
  /** The time zone was changed; every time on screen is out of date. */
  readonly onTimeZoneChanged: (timeZone: string) => void;
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
  const message = el('p', { id: 'settings-error', class: 'dialog-error', role: 'alert', hidden: true });
  const save = el('button', { type: 'button', id: 'settings-save', class: 'button-primary' }, 'Save');
  const cancel = el('button', { type: 'button', id: 'settings-cancel', class: 'button-secondary' }, 'Cancel');
  const dialog = el(
    'section',
    { id: 'settings-dialog', class: 'dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'settings-title' },
    el('h2', { id: 'settings-title', class: 'dialog-title' }, 'Settings'),
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
    const focusable = [zoneSelect, cancel, save].filter((node) => !node.disabled);
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
        await loadZones();
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
