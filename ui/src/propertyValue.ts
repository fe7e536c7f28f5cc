// The control a property's value is typed or picked in, fitting its format, and the choices of a
// `choice` property as the manager types them (one a line).

import type { PropertyFormat } from './bindings/PropertyFormat';
import { el, type Attrs } from './dom';

export type ValueControl = HTMLInputElement | HTMLSelectElement;

/** Every format, in the order the format menus offer them. */
export const FORMATS: readonly PropertyFormat[] = ['text', 'number', 'date', 'boolean', 'choice'];

/**
 * A text box, a number box, a date picker, a Yes / No menu or the menu of the choices. Numbers
 * are typed as text (with a numeric keyboard where there is one) so that what was typed stays
 * visible beside the core's reason when it refuses it.
 */
export function createValueControl(format: PropertyFormat, choices: readonly string[], attrs: Attrs, value = ''): ValueControl {
  switch (format) {
    case 'boolean': {
      const select = el('select', attrs, el('option', { value: 'true' }, 'Yes'), el('option', { value: 'false' }, 'No'));
      if (value === 'true' || value === 'false') select.value = value;
      return select;
    }
    case 'choice': {
      const select = el('select', attrs);
      for (const choice of choices) select.append(el('option', { value: choice }, choice));
      if (value !== '' && !choices.includes(value)) {
        // A value kept from before its choice was removed: it stays pickable as it is.
        select.append(el('option', { value }, value));
      }
      if (value !== '') select.value = value;
      return select;
    }
    case 'number': {
      const input = el('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false', ...attrs });
      input.value = value;
      return input;
    }
    case 'date': {
      const input = el('input', { type: 'date', placeholder: 'YYYY-MM-DD', autocomplete: 'off', ...attrs });
      input.value = value;
      return input;
    }
    case 'text': {
      const input = el('input', { type: 'text', autocomplete: 'off', ...attrs });
      input.value = value;
      return input;
    }
  }
}

/** The choices typed one a line, trimmed, blank lines left out. */
export function choicesOf(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
