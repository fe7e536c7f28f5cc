// Mounting the app on a fresh document and waiting for it, for the UI tests.

import { createApp, type App, type AppOptions } from '../app';
import type { ListRequest } from '../bindings/ListRequest';
import type { ProfileFilter } from '../bindings/ProfileFilter';
import { FakeBackend, type FakeBackendOptions } from './fakeBackend';

export interface Mounted {
  readonly root: HTMLElement;
  readonly backend: FakeBackend;
  readonly app: App;
}

let mounted: Mounted | undefined;

/** Starts the app on an empty page with a fake backend (made from `options`, or the one given). */
export function mount(options: FakeBackendOptions | FakeBackend = {}, appOptions: AppOptions = {}): Mounted {
  mounted?.app.destroy();
  document.body.replaceChildren();
  const root = document.createElement('div');
  root.id = 'app';
  document.body.append(root);
  const backend = options instanceof FakeBackend ? options : new FakeBackend(options);
  const app = createApp(root, backend, appOptions);
  mounted = { root, backend, app };
  return mounted;
}

/** Polls until `probe` returns something truthy, or fails after `timeout` ms. */
export async function waitFor<T>(probe: () => T | null | undefined | false, timeout = 2000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`waitFor timed out: ${probe.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Lets every queued timer and promise run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
}

export function query<T extends Element = HTMLElement>(root: ParentNode, selector: string): T {
  const found = root.querySelector<T>(selector);
  if (found === null) throw new Error(`nothing matches ${selector}`);
  return found;
}

/** The data rows (not placeholders, not hidden) currently in the table, in order of position. */
export function visibleRows(root: ParentNode): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>('.row[data-id]')]
    .filter((row) => !row.hidden)
    .sort((a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')));
}

export function press(target: EventTarget, key: string, init: KeyboardEventInit = {}): KeyboardEvent {
  const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init });
  target.dispatchEvent(event);
  return event;
}

export function type(input: HTMLInputElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

export function choose(select: HTMLSelectElement, value: string): void {
  select.value = value;
  select.dispatchEvent(new Event('change', { bubbles: true }));
}

/** The filter of the table's last page request. */
export function lastFilter(backend: FakeBackend): ProfileFilter | undefined {
  return (backend.callsOf('list_profiles').at(-1)?.args['request'] as ListRequest | undefined)?.filter;
}
