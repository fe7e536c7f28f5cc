import { describe, expect, it, vi } from 'vitest';

import type { PictureView } from './bindings/PictureView';
import type { ProfileId } from './bindings/ProfileId';
import { profileId } from './ids';
import { MAX_PICTURE_BYTES, PICTURE_TYPES, PictureCache } from './pictures';
import { OVERSCAN, PICTURE_DELAY, ROW_HEIGHT } from './table';
import { FAKE_PICTURE_URL, FakeBackend, fakeId, type FakeBackendOptions } from './testing/fakeBackend';
import { mount, query, settle, visibleRows, waitFor, type Mounted } from './testing/harness';

/** Index 1's profile: Ada Tester 0000001. */
const ID = fakeId(1);
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]);
const TEXT = new TextEncoder().encode('Dear customer, this is not a picture.');
const NOT_AN_IMAGE = 'The file is not an image Userdesk can read (use PNG, JPEG, GIF, WebP or BMP)';

async function openDetails(options: FakeBackendOptions | FakeBackend = { rows: 50 }): Promise<Mounted & { panel: HTMLElement }> {
  const mounted = mount(options instanceof FakeBackend ? options : new FakeBackend(options));
  const { root } = mounted;
  const row = await waitFor(() => root.querySelector<HTMLElement>(`.row[data-id="${ID}"]`));
  query<HTMLButtonElement>(row, 'button.username').click();
  const panel = query(root, 'section#details');
  await waitFor(() => query(root, '#details-name').textContent === 'Ada Tester 0000001');
  return { ...mounted, panel };
}

/** What the platform's file dialog does once the manager picked `file`. */
function pick(root: HTMLElement, file: File): HTMLInputElement {
  const input = query<HTMLInputElement>(root, '#picture-file');
  Object.defineProperty(input, 'files', { value: [file], configurable: true });
  input.dispatchEvent(new Event('change', { bubbles: true }));
  return input;
}

function scrollTo(scroller: HTMLElement, scrollTop: number): void {
  scroller.scrollTop = scrollTop;
  scroller.dispatchEvent(new Event('scroll'));
}

function circle(root: HTMLElement): HTMLButtonElement {
  return query<HTMLButtonElement>(root, '#details-picture');
}

function circleImage(root: HTMLElement): string | undefined {
  return circle(root).querySelector('img')?.getAttribute('src') ?? undefined;
}

function rowAvatar(root: HTMLElement, id: string): HTMLElement {
  return query(root, `.row[data-id="${id}"] .row-avatar`);
}

function rowImage(root: HTMLElement, id: string): string | undefined {
  return rowAvatar(root, id).querySelector('img')?.getAttribute('src') ?? undefined;
}

describe('the picture in the Details panel', () => {
  it('is a button with the initials that opens the file dialog for images', async () => {
    const { root } = await openDetails();
    const button = circle(root);
    expect(button.tagName).toBe('BUTTON');
    expect(button.classList.contains('avatar')).toBe(true);
    expect(button.getAttribute('aria-label')).toBe('Add a picture');
    expect(button.textContent).toBe('AT');
    expect(query<HTMLButtonElement>(root, '#picture-remove').hidden).toBe(true);
    const input = query<HTMLInputElement>(root, '#picture-file');
    expect(input.type).toBe('file');
    expect(input.accept).toBe(PICTURE_TYPES);
    const opened = vi.spyOn(input, 'click').mockImplementation(() => undefined);
    button.click();
    expect(opened).toHaveBeenCalledTimes(1);
  });

  it('shows a picked PNG in the panel and in the table row, not yet synced', async () => {
    const { root, backend } = await openDetails();
    await waitFor(() => backend.callsOf('profile_pictures').length === 1);
    expect(rowAvatar(root, ID).textContent).toBe('AT');

    const input = pick(root, new File([PNG], 'ada.png', { type: 'image/png' }));
    expect(input.value).toBe('');
    await waitFor(() => circleImage(root) === FAKE_PICTURE_URL);
    expect(backend.callsOf('set_profile_picture').map((c) => c.args)).toEqual([{ profileId: ID, size: PNG.length }]);
    expect(circle(root).getAttribute('aria-label')).toBe('Change picture');
    expect(circle(root).getAttribute('aria-busy')).toBeNull();
    expect(query(root, '#picture-pending').hidden).toBe(false);
    expect(query(root, '#picture-pending').textContent).toBe('Picture not synced yet');
    expect(query<HTMLButtonElement>(root, '#picture-remove').hidden).toBe(false);
    expect(query(root, '#picture-error').hidden).toBe(true);

    // The row's avatar changes at once, without asking the core for the row's picture again.
    await waitFor(() => rowImage(root, ID) === FAKE_PICTURE_URL);
    expect(query(root, `.row[data-id="${ID}"] button.username`).textContent).toBe('Ada Tester 0000001');
    expect(backend.callsOf('profile_pictures')).toHaveLength(1);
    // The edit waits to sync: the status bar is asked again.
    expect(backend.callsOf('sync_view').length).toBeGreaterThan(1);
  });

  it('shows busy while the file is on its way, and takes a JPEG too', async () => {
    const { root, backend } = await openDetails(new FakeBackend({ rows: 50, latency: 30 }));
    pick(root, new File([JPEG], 'ada.jpg', { type: 'image/jpeg' }));
    await waitFor(() => circle(root).getAttribute('aria-busy') === 'true');
    expect(circle(root).classList.contains('is-busy')).toBe(true);
    // A click while busy opens no second dialog.
    const opened = vi.spyOn(query<HTMLInputElement>(root, '#picture-file'), 'click').mockImplementation(() => undefined);
    circle(root).click();
    expect(opened).not.toHaveBeenCalled();
    await waitFor(() => circleImage(root) === FAKE_PICTURE_URL);
    expect(circle(root).getAttribute('aria-busy')).toBeNull();
    expect(backend.picturesByProfile.get(ID)?.pending).toBe(true);
  });

  it('refuses a file that is not an image beside the picture, and changes nothing', async () => {
    const backend = new FakeBackend({ rows: 50 });
    backend.seedPicture(ID);
    const { root } = await openDetails(backend);
    await waitFor(() => circleImage(root) === FAKE_PICTURE_URL);
    expect(query(root, '#picture-pending').hidden).toBe(true);
    await waitFor(() => rowImage(root, ID) === FAKE_PICTURE_URL);

    pick(root, new File([TEXT], 'notes.txt', { type: 'text/plain' }));
    const error = await waitFor(() => {
      const node = query(root, '#picture-error');
      return node.hidden ? undefined : node;
    });
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toBe(NOT_AN_IMAGE);
    expect(circle(root).getAttribute('aria-describedby')).toBe('picture-error');
    expect(circleImage(root)).toBe(FAKE_PICTURE_URL);
    expect(circle(root).getAttribute('aria-label')).toBe('Change picture');
    expect(backend.picturesByProfile.get(ID)?.pending).toBe(false);
    expect(rowImage(root, ID)).toBe(FAKE_PICTURE_URL);
    expect(query(root, '#error-banner').hidden).toBe(true);

    // A good file afterwards clears the refusal.
    pick(root, new File([PNG], 'ada.png', { type: 'image/png' }));
    await waitFor(() => query(root, '#picture-error').hidden);
    await waitFor(() => !query(root, '#picture-pending').hidden);
  });

  it('refuses a file over 20 MB before reading it, in the core’s words', async () => {
    const { root, backend } = await openDetails();
    const file = new File([PNG], 'huge.png', { type: 'image/png' });
    Object.defineProperty(file, 'size', { value: MAX_PICTURE_BYTES + 1 });
    const read = vi.spyOn(file, 'arrayBuffer');
    pick(root, file);
    await waitFor(() => !query(root, '#picture-error').hidden);
    expect(query(root, '#picture-error').textContent).toBe(`The file is ${MAX_PICTURE_BYTES + 1} bytes; a picture may be at most 20 MB`);
    expect(read).not.toHaveBeenCalled();
    expect(backend.callsOf('set_profile_picture')).toHaveLength(0);
    expect(circle(root).textContent).toBe('AT');
  });

  it('takes the same file again after a refusal or a success', async () => {
    const { root, backend } = await openDetails();
    const file = new File([PNG], 'ada.png', { type: 'image/png' });
    const input = pick(root, file);
    await waitFor(() => circleImage(root) === FAKE_PICTURE_URL);
    expect(input.value).toBe('');
    pick(root, file);
    await waitFor(() => backend.callsOf('set_profile_picture').length === 2);
  });

  it('removes the picture from the panel and the table row', async () => {
    const backend = new FakeBackend({ rows: 50 });
    backend.seedPicture(ID);
    const { root } = await openDetails(backend);
    await waitFor(() => rowImage(root, ID) === FAKE_PICTURE_URL);
    const remove = query<HTMLButtonElement>(root, '#picture-remove');
    expect(remove.getAttribute('aria-label')).toBe('Remove picture');
    remove.focus();
    remove.click();
    await waitFor(() => circle(root).textContent === 'AT');
    expect(circleImage(root)).toBeUndefined();
    expect(circle(root).getAttribute('aria-label')).toBe('Add a picture');
    expect(remove.hidden).toBe(true);
    // The focused Remove button is gone: the circle takes its focus.
    expect(document.activeElement).toBe(circle(root));
    expect(backend.callsOf('remove_profile_picture').map((c) => c.args)).toEqual([{ profileId: ID }]);
    expect(backend.picturesByProfile.has(ID)).toBe(false);
    await waitFor(() => rowAvatar(root, ID).textContent === 'AT');
    expect(rowImage(root, ID)).toBeUndefined();
  });

  it('sends other failures to the banner, not beside the picture', async () => {
    const { root, backend } = await openDetails();
    backend.failNext('set_profile_picture', { code: 'storage', message: 'the disk is full', fields: [] });
    pick(root, new File([PNG], 'ada.png', { type: 'image/png' }));
    await waitFor(() => !query(root, '#error-banner').hidden);
    expect(query(root, '#error-banner .message').textContent).toContain('the disk is full');
    expect(query(root, '#picture-error').hidden).toBe(true);
    expect(circle(root).getAttribute('aria-busy')).toBeNull();
  });

  it('shows another profile’s own picture, and no refusal from the one before', async () => {
    const backend = new FakeBackend({ rows: 50 });
    backend.seedPicture(fakeId(4));
    const { root } = await openDetails(backend);
    pick(root, new File([TEXT], 'notes.txt'));
    await waitFor(() => !query(root, '#picture-error').hidden);
    query<HTMLButtonElement>(root, `.row[data-id="${fakeId(4)}"] button.username`).click();
    await waitFor(() => circleImage(root) === FAKE_PICTURE_URL);
    expect(query(root, '#picture-error').hidden).toBe(true);
  });
});

describe('the avatars of the All users table', () => {
  /** Indexes 4 and 20 have pictures. */
  function backendWithPictures(options: FakeBackendOptions = { rows: 1000, archived: 0 }): FakeBackend {
    const backend = new FakeBackend(options);
    backend.seedPicture(fakeId(4));
    backend.seedPicture(fakeId(20));
    return backend;
  }

  function pictureCalls(backend: FakeBackend): string[][] {
    return backend.callsOf('profile_pictures').map((c) => c.args['ids'] as string[]);
  }

  it('asks for the first screen’s pictures in one call and fills them in', async () => {
    // Few enough rows to be all on the first screen; index 2 has no name and no email, 6 no name.
    const backend = backendWithPictures({
      rows: 21,
      archived: 0,
      customise: (p, i) => (i === 2 ? { ...p, firstName: '', lastName: '', email: '' } : i === 6 ? { ...p, firstName: '', lastName: '' } : p),
    });
    const { root } = mount(backend);
    await waitFor(() => visibleRows(root).length > 0);
    await waitFor(() => rowImage(root, fakeId(4)) === FAKE_PICTURE_URL);
    await settle();

    const calls = pictureCalls(backend);
    expect(calls).toHaveLength(1);
    const shown = visibleRows(root).map((r) => r.getAttribute('data-id'));
    expect(shown).toHaveLength(21);
    expect([...(calls[0] ?? [])].sort()).toEqual([...shown].sort());
    expect(rowImage(root, fakeId(20))).toBe(FAKE_PICTURE_URL);
    expect(rowAvatar(root, fakeId(1)).textContent).toBe('AT');
    expect(rowAvatar(root, fakeId(5)).textContent).toBe(`${backend.profile(5).firstName.charAt(0)}T`);
    expect(rowAvatar(root, fakeId(1)).getAttribute('aria-hidden')).toBe('true');
    // An email for a username: its first letter.
    expect(rowAvatar(root, fakeId(6)).textContent).toBe(backend.profile(6).email.charAt(0).toUpperCase());
    expect(rowAvatar(root, fakeId(6)).textContent).toMatch(/^[A-Z]$/);
    // Nothing to take initials from: the neutral icon.
    const anonymous = rowAvatar(root, fakeId(2));
    expect(anonymous.textContent).toBe('');
    expect(anonymous.classList.contains('is-anonymous')).toBe(true);
    expect(anonymous.querySelector('svg')).not.toBeNull();
    // The button holds the username alone.
    expect(query(root, `.row[data-id="${fakeId(4)}"] button.username`).textContent).toBe(`${backend.profile(4).firstName} Tester 0000004`);
    expect(root.querySelector(`.row[data-id="${fakeId(4)}"] button.username img`)).toBeNull();
  });

  it('asks only for rows not asked before as the list scrolls, and never again for the same rows', async () => {
    const backend = backendWithPictures();
    const { root } = mount(backend);
    await waitFor(() => pictureCalls(backend).length === 1);
    const first = new Set(pictureCalls(backend)[0]);
    // The first screen, not the whole list.
    expect(first.size).toBe(visibleRows(root).length);
    expect(first.size).toBeLessThan(60);
    const scroller = query(root, '.table-scroller');

    // Rendering the same rows again asks for nothing.
    window.dispatchEvent(new Event('resize'));
    await new Promise((resolve) => setTimeout(resolve, PICTURE_DELAY * 2));
    expect(pictureCalls(backend)).toHaveLength(1);

    scrollTo(scroller, 100 * ROW_HEIGHT);
    await waitFor(() => visibleRows(root)[0]?.getAttribute('data-id') === fakeId(100 - OVERSCAN));
    await waitFor(() => pictureCalls(backend).length === 2);
    const second = pictureCalls(backend)[1] ?? [];
    expect(second).toContain(fakeId(100));
    expect(second.filter((id) => first.has(id))).toEqual([]);

    scrollTo(scroller, 0);
    await waitFor(() => rowImage(root, fakeId(4)) === FAKE_PICTURE_URL);
    await new Promise((resolve) => setTimeout(resolve, PICTURE_DELAY * 2));
    expect(pictureCalls(backend)).toHaveLength(2);
  });

  it('does not hold up the rows while pictures are on their way', async () => {
    const backend = backendWithPictures();
    let answer: (() => void) | undefined;
    const slow = backend.profilePictures.bind(backend);
    backend.profilePictures = (ids) =>
      new Promise((resolve, reject) => {
        answer = () => void slow(ids).then(resolve, reject);
      });
    const { root } = mount(backend);
    await waitFor(() => answer !== undefined);
    expect(query(root, `.row[data-id="${fakeId(4)}"] button.username`).textContent).toBe('Ada Tester 0000004');
    expect(rowAvatar(root, fakeId(4)).textContent).toBe('AT');
    answer?.();
    await waitFor(() => rowImage(root, fakeId(4)) === FAKE_PICTURE_URL);
  });

  it('shows a failure in the banner and asks again once it is dismissed', async () => {
    const backend = backendWithPictures();
    backend.failNext('profile_pictures', { code: 'storage', message: 'the store is locked', fields: [] });
    const { root } = mount(backend);
    await waitFor(() => !query(root, '#error-banner').hidden);
    expect(rowAvatar(root, fakeId(4)).textContent).toBe('AT');
    query<HTMLButtonElement>(root, '#error-banner button.dismiss').click();
    await waitFor(() => rowImage(root, fakeId(4)) === FAKE_PICTURE_URL);
    expect(pictureCalls(backend)).toHaveLength(2);
  });
});

describe('PictureCache', () => {
  /** Profile ids from the test's short literals. */
  const profileIds = (...raw: string[]): ProfileId[] => raw.map(profileId);
  const picture = (id: ProfileId): PictureView => ({ profileId: id, dataUrl: FAKE_PICTURE_URL, pending: false });

  it('asks once for many ids, and remembers those without a picture', async () => {
    const fetch = vi.fn((ids: ProfileId[]) => Promise.resolve(ids.filter((id) => id === 'b').map(picture)));
    const onLoad = vi.fn();
    const cache = new PictureCache(fetch, { onLoad });
    cache.request(profileIds('a', 'b', 'a'));
    cache.request(profileIds('a', 'b'));
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenCalledWith(['a', 'b']);
    await settle();
    expect(onLoad).toHaveBeenCalledTimes(1);
    expect(cache.get(profileId('a'))).toBeNull();
    expect(cache.get(profileId('b'))?.profileId).toBe('b');
    expect(cache.get(profileId('c'))).toBeUndefined();
    expect(cache.needs(profileId('a'))).toBe(false);
    expect(cache.needs(profileId('c'))).toBe(true);
  });

  it('keeps what Details set over an answer that was already on its way', async () => {
    let resolve: ((list: PictureView[]) => void) | undefined;
    const cache = new PictureCache(() => new Promise((r) => (resolve = r)));
    cache.request(profileIds('a'));
    cache.set(profileId('a'), picture(profileId('a')));
    resolve?.([]);
    await settle();
    expect(cache.get(profileId('a'))?.profileId).toBe('a');
    cache.set(profileId('a'), undefined);
    expect(cache.get(profileId('a'))).toBeNull();
  });

  it('keeps only the most recently shown pictures', async () => {
    const cache = new PictureCache((ids) => Promise.resolve(ids.map(picture)), { capacity: 2 });
    cache.request(profileIds('a', 'b'));
    await settle();
    cache.get(profileId('a'));
    cache.request(profileIds('c'));
    await settle();
    expect(cache.get(profileId('b'))).toBeUndefined();
    expect(cache.get(profileId('a'))).not.toBeUndefined();
    expect(cache.get(profileId('c'))).not.toBeUndefined();
  });
});
