import { describe, expect, it } from 'vitest';

import { el } from './dom';

// Source of every module that ships (tests and test doubles excluded).
const sources = import.meta.glob<string>(['./**/*.ts', '!./**/*.test.ts', '!./testing/**'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

describe('el', () => {
  it('turns strings into text, never markup', () => {
    const node = el('div', { class: 'x', 'data-id': '<b>' }, '<img src=x onerror=alert(1)>');
    expect(node.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(node.querySelector('img')).toBeNull();
    expect(node.getAttribute('data-id')).toBe('<b>');
  });

  it('refuses inline styles and event-handler attributes', () => {
    expect(() => el('div', { style: 'color: red' })).toThrow();
    expect(() => el('img', { onerror: 'alert(1)' })).toThrow();
  });

  it('treats booleans as present or absent attributes', () => {
    const node = el('input', { disabled: true, readonly: false });
    expect(node.hasAttribute('disabled')).toBe(true);
    expect(node.hasAttribute('readonly')).toBe(false);
  });
});

describe('the shipped source', () => {
  it('is all there', () => {
    expect(Object.keys(sources)).toContain('./app.ts');
  });

  it.each(Object.entries(sources))('%s never parses strings as HTML nor sets inline style attributes', (_, text) => {
    expect(text).not.toMatch(/\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write|createContextualFragment|DOMParser/);
    expect(text).not.toMatch(/setAttribute\(\s*['"]style['"]/);
  });
});
