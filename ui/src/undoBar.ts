// Undo: after an edit, a change of the Active option or of a segment's hand-picked members, an
// Active or Archive job scheduled, or a Delete (undone by taking the customers out of the Trash),
// a bar under the table names the action with an Undo button
// (and Ctrl/Cmd+Z does the same outside a text field). An undo is a new edit that puts back what
// the action replaced (a job still waiting is cancelled); a value changed again since (a
// colleague's, synced meanwhile) stays, and the bar says so.

import type { Backend } from './api';
import type { UndoReport } from './bindings/UndoReport';
import { el, setText } from './dom';
import { closeIcon } from './icons';
import { latestOnly } from './latest';

export interface UndoBarOptions {
  readonly backend: Backend;
  /** An undo put values back: the table, Details and the status bar read them again. */
  readonly onUndone: () => void;
  readonly onError: (error: unknown) => void;
  /** Ends the Ctrl/Cmd+Z listener with the window's lifetime. */
  readonly signal?: AbortSignal;
}

export interface UndoBar {
  readonly element: HTMLElement;
  /** Reads what Undo would take back now, and shows it. */
  refresh(): Promise<void>;
  /** Takes back the last action, if there is one. */
  undo(): Promise<void>;
}

/** What the bar says once an undo is done. */
export function undoneText(report: UndoReport): string {
  const kept = report.kept.map((k) =>
    k.reason === undefined ? `${k.what} stays ${k.value === '' ? 'empty' : `“${k.value}”`}: it changed again since.` : `${k.what}: ${k.reason}.`,
  );
  if (report.restored === 0) return [`Not undone: ${report.label}.`, ...kept].join(' ');
  return [`Undone: ${report.label}.`, ...kept].join(' ');
}

/** Whether a key press belongs to a text field, whose own undo it is. */
function inTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target.matches('input, textarea, select');
}

export function createUndoBar(options: UndoBarOptions): UndoBar {
  const { backend } = options;
  const text = el('span', { id: 'undo-text', class: 'undo-text' });
  const button = el('button', { type: 'button', id: 'undo-button', class: 'button-secondary undo-button', title: 'Undo (Ctrl+Z)' }, 'Undo');
  const dismiss = el('button', { type: 'button', class: 'dismiss icon-button', 'aria-label': 'Dismiss', title: 'Dismiss' }, closeIcon());
  const element = el('div', { id: 'undo-bar', class: 'undo-bar', role: 'status', 'aria-live': 'polite', hidden: true }, text, button, dismiss);
  const reads = latestOnly();
  let busy = false;

  function show(message: string, canUndo: boolean): void {
    setText(text, message);
    button.hidden = !canUndo;
    element.hidden = false;
  }

  async function refresh(): Promise<void> {
    const ticket = reads.begin();
    try {
      const next = await backend.undoAvailable();
      if (!ticket.isCurrent()) return;
      if (next === null) element.hidden = true;
      else show(next.label, true);
    } catch (error) {
      options.onError(error);
    }
  }

  async function undo(): Promise<void> {
    if (busy) return;
    busy = true;
    button.disabled = true;
    reads.drop();
    try {
      const report = await backend.undo();
      show(undoneText(report), report.next !== undefined);
      if (report.next !== undefined) button.title = `Undo ${report.next.label} (Ctrl+Z)`;
      options.onUndone();
    } catch (error) {
      options.onError(error);
    } finally {
      busy = false;
      button.disabled = false;
    }
  }

  button.addEventListener('click', () => void undo());
  dismiss.addEventListener('click', () => {
    element.hidden = true;
  });
  document.addEventListener('keydown', (event) => {
    const z = event.key === 'z' || event.key === 'Z';
    if (!z || !(event.ctrlKey || event.metaKey) || event.shiftKey || event.altKey || event.defaultPrevented) return;
    if (inTextField(event.target)) return;
    event.preventDefault();
    void undo();
  }, options.signal === undefined ? {} : { signal: options.signal });

  return { element, refresh, undo };
}
