// A one-line banner for errors that belong to no particular field (a failed page, a lost
// connection to the store). The latest error replaces the previous one.

import { errorMessage } from './api';
import { el, setText } from './dom';
import { closeIcon } from './icons';

export interface ErrorBanner {
  readonly element: HTMLElement;
  show(error: unknown): void;
  hide(): void;
}

export function createErrorBanner(onDismiss: () => void): ErrorBanner {
  const message = el('span', { class: 'message' });
  const dismiss = el(
    'button',
    { type: 'button', class: 'dismiss icon-button', 'aria-label': 'Dismiss', title: 'Dismiss' },
    closeIcon(),
  );
  const element = el('div', { id: 'error-banner', class: 'error-banner', role: 'alert', hidden: true }, message, dismiss);

  const hide = (): void => {
    element.hidden = true;
    setText(message, '');
  };
  dismiss.addEventListener('click', () => {
    hide();
    onDismiss();
  });

  return {
    element,
    show(error) {
      setText(message, errorMessage(error));
      element.hidden = false;
    },
    hide,
  };
}
