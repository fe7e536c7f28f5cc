// A modal dialog over a dimmed window, for the forms and confirmations of the Segments and
// Properties tabs: Tab stays inside it, Escape dismisses it, and focus goes back to the control
// that opened it.

import { el, type Child } from './dom';

export interface ModalOptions {
  readonly id: string;
  /** The id of the element that names the dialog (its title, or its question). */
  readonly labelledBy: string;
  /** `alertdialog` for a confirmation. */
  readonly role?: 'dialog' | 'alertdialog';
  /** Escape, or a click on the dimmed window when `closeOnBackdrop`: the owner decides. */
  readonly onDismiss: () => void;
  /** Whether a click beside the dialog dismisses it (a confirmation); a form keeps what is typed. */
  readonly closeOnBackdrop?: boolean;
}

export interface Modal {
  /** The dimmed window holding the dialog; put it anywhere in the app. */
  readonly element: HTMLElement;
  readonly dialog: HTMLElement;
  /** Shows the dialog and focuses `focus`; `trigger` gets the focus back on close. */
  open(trigger: HTMLElement | undefined, focus: HTMLElement | undefined): void;
  close(): void;
  isOpen(): boolean;
}

const FOCUSABLE = 'button, input, select, textarea, [tabindex]:not([tabindex="-1"])';

export function createModal(options: ModalOptions, ...children: Child[]): Modal {
  const dialog = el(
    'section',
    { id: options.id, class: 'dialog', role: options.role ?? 'dialog', 'aria-modal': 'true', 'aria-labelledby': options.labelledBy },
    ...children,
  );
  const element = el('div', { class: 'backdrop', hidden: true }, dialog);
  let trigger: HTMLElement | undefined;

  dialog.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      // Only the dialog goes; the window's own Escape (closing Details) must not run too.
      event.preventDefault();
      event.stopPropagation();
      options.onDismiss();
      return;
    }
    if (event.key !== 'Tab') return;
    const focusable = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
      (node) => !(node as HTMLButtonElement).disabled && node.closest('[hidden]') === null,
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
  element.addEventListener('click', (event) => {
    if (event.target === element && options.closeOnBackdrop === true) options.onDismiss();
  });

  return {
    element,
    dialog,
    open(from, focus) {
      trigger = from;
      element.hidden = false;
      focus?.focus();
    },
    close() {
      if (element.hidden) return;
      element.hidden = true;
      const back = trigger;
      trigger = undefined;
      if (back?.isConnected === true) back.focus();
    },
    isOpen: () => !element.hidden,
  };
}
