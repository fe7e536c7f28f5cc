import { describe, expect, it } from 'vitest';

import { delayMinutes, delaySeconds } from './settings';
import { FakeBackend, fakeId } from './testing/fakeBackend';
import { choose, mount, press, query, visibleRows, waitFor } from './testing/harness';

async function openSettings(root: HTMLElement): Promise<HTMLInputElement> {
  query<HTMLButtonElement>(root, 'button#settings').click();
  const delay = query<HTMLInputElement>(root, '#job-delay');
  await waitFor(() => delay.value !== '' && !query<HTMLButtonElement>(root, '#settings-save').disabled);
  return delay;
}

function isOpen(root: HTMLElement): boolean {
  return query(root, '#settings-dialog').closest('[hidden]') === null;
}

describe('the Settings dialog', () => {
  it('changes the time zone, then shows the table and the open Details in it', async () => {
    const backend = new FakeBackend({ rows: 50, timeZone: 'UTC' });
    const { root } = mount(backend);
    const row = await waitFor(() => root.querySelector<HTMLElement>(`.row[data-id="${fakeId(1)}"]`));
    const createdBefore = query(row, '.cell-created').textContent;
    query<HTMLButtonElement>(row, 'button.username').click();
    await waitFor(() => query(root, '[data-info="created"] .time-zone').textContent === 'UTC');

    const dialog = query(root, '#settings-dialog');
    expect(dialog.closest('[hidden]')).not.toBeNull();
    query<HTMLButtonElement>(root, 'button#settings').click();
    const select = query<HTMLSelectElement>(root, 'select#time-zone');
    await waitFor(() => select.options.length > 1 && select.value === 'UTC');
    expect(dialog.closest('[hidden]')).toBeNull();
    expect(dialog.getAttribute('role')).toBe('dialog');

    choose(select, 'Asia/Tokyo');
    query<HTMLButtonElement>(root, '#settings-save').click();
    await waitFor(() => dialog.closest('[hidden]') !== null);
    expect(backend.callsOf('set_time_zone').map((c) => c.args)).toEqual([{ timeZone: 'Asia/Tokyo' }]);

    await waitFor(() => query(root, '[data-info="created"] .time-zone').textContent === 'Asia/Tokyo');
    await waitFor(() => query(root, `.row[data-id="${fakeId(1)}"] .cell-created`).textContent !== createdBefore);
    expect(visibleRows(root).length).toBeGreaterThan(0);
  });

  it('closes with Escape or Cancel without saving', async () => {
    const { root, backend } = mount({ rows: 10 });
    await waitFor(() => visibleRows(root).length > 0);
    const dialog = query(root, '#settings-dialog');

    query<HTMLButtonElement>(root, 'button#settings').click();
    await waitFor(() => query<HTMLSelectElement>(root, 'select#time-zone').options.length > 1);
    press(query(root, 'select#time-zone'), 'Escape');
    expect(dialog.closest('[hidden]')).not.toBeNull();

    query<HTMLButtonElement>(root, 'button#settings').click();
    query<HTMLButtonElement>(root, '#settings-cancel').click();
    expect(dialog.closest('[hidden]')).not.toBeNull();
    expect(backend.callsOf('set_time_zone')).toHaveLength(0);
    // The list of zones is asked for once.
    expect(backend.callsOf('time_zone_names')).toHaveLength(1);
  });

  it('shows a refused time zone inside the dialog', async () => {
    const backend = new FakeBackend({ rows: 10 });
    backend.failNext('set_time_zone', { code: 'invalid_time_zone', message: 'unknown time zone: Mars/Olympus', fields: [] });
    const { root } = mount(backend);
    query<HTMLButtonElement>(root, 'button#settings').click();
    await waitFor(() => query<HTMLSelectElement>(root, 'select#time-zone').options.length > 1);
    query<HTMLButtonElement>(root, '#settings-save').click();
    const error = await waitFor(() => {
      const node = root.querySelector<HTMLElement>('#settings-error');
      return node !== null && !node.hidden && node;
    });
    expect(error.textContent).toBe('unknown time zone: Mars/Olympus');
    expect(query(root, '#settings-dialog').closest('[hidden]')).toBeNull();
  });
});

describe('the delay of Active and Archive', () => {
  it('shows the delay in minutes (5 by default) and saves it in whole seconds', async () => {
    const { root, backend } = mount({ rows: 10 });
    const delay = await openSettings(root);
    expect(delay.value).toBe('5');
    expect(delay.closest('label')?.querySelector('.dialog-label')?.textContent).toBe('Delay of Active and Archive');
    expect(delay.min).toBe('0');
    expect(delay.max).toBe('10080');

    delay.value = '0.5';
    query<HTMLButtonElement>(root, '#settings-save').click();
    await waitFor(() => !isOpen(root));
    expect(backend.callsOf('set_job_delay').map((c) => c.args)).toEqual([{ seconds: 30 }]);
    expect(backend.jobDelaySeconds).toBe(30);

    // The next job takes effect 30 seconds after the click.
    const job = await backend.scheduleJob('archive', { kind: 'ids', ids: [fakeId(1)] });
    expect(job.runAtMs - Date.now()).toBeLessThanOrEqual(30_000);
    expect(job.runAtMs - Date.now()).toBeGreaterThan(25_000);

    expect((await openSettings(root)).value).toBe('0.5');
  });

  it('saves the delay only when it was changed', async () => {
    const { root, backend } = mount({ rows: 10 });
    await openSettings(root);
    query<HTMLButtonElement>(root, '#settings-save').click();
    await waitFor(() => !isOpen(root));
    expect(backend.callsOf('set_time_zone')).toHaveLength(1);
    expect(backend.callsOf('set_job_delay')).toHaveLength(0);
  });

  it('refuses a delay that is not one beside the field, and saves nothing', async () => {
    const { root, backend } = mount({ rows: 10 });
    const delay = await openSettings(root);
    const error = query(root, '#job-delay-error');
    for (const bad of ['-1', '10081', '']) {
      delay.value = bad;
      query<HTMLButtonElement>(root, '#settings-save').click();
      expect(error.hidden).toBe(false);
      expect(error.textContent).toBe('Write a number of minutes from 0 to 10,080 (a week).');
      expect(delay.getAttribute('aria-invalid')).toBe('true');
      expect(document.activeElement).toBe(delay);
    }
    expect(isOpen(root)).toBe(true);
    expect(backend.callsOf('set_time_zone')).toHaveLength(0);
    expect(backend.callsOf('set_job_delay')).toHaveLength(0);

    delay.value = '0';
    query<HTMLButtonElement>(root, '#settings-save').click();
    expect(error.hidden).toBe(true);
    await waitFor(() => !isOpen(root));
    expect(backend.callsOf('set_job_delay').map((c) => c.args)).toEqual([{ seconds: 0 }]);
  });

  it("shows the core's refusal of the delay beside the field, the dialog staying open", async () => {
    const backend = new FakeBackend({ rows: 10 });
    backend.failNext('set_job_delay', { code: 'storage', message: 'the database is locked', fields: [] });
    const { root } = mount(backend);
    const delay = await openSettings(root);
    delay.value = '10';
    query<HTMLButtonElement>(root, '#settings-save').click();
    const error = await waitFor(() => {
      const node = query(root, '#job-delay-error');
      return !node.hidden && node;
    });
    expect(error.textContent).toBe('The database is locked');
    expect(isOpen(root)).toBe(true);
    expect(backend.jobDelaySeconds).toBe(300);
  });

  it('keeps the rest of Settings usable when the delay cannot be read', async () => {
    const backend = new FakeBackend({ rows: 10 });
    backend.failNext('job_delay', { code: 'storage', message: 'the database is locked', fields: [] });
    const { root } = mount(backend);
    query<HTMLButtonElement>(root, 'button#settings').click();
    await waitFor(() => !query<HTMLButtonElement>(root, '#settings-save').disabled);
    expect(query(root, '#job-delay-error').textContent).toBe('The database is locked');
    expect(query<HTMLInputElement>(root, '#job-delay').value).toBe('');

    choose(query<HTMLSelectElement>(root, 'select#time-zone'), 'Asia/Tokyo');
    query<HTMLButtonElement>(root, '#settings-save').click();
    await waitFor(() => !isOpen(root));
    expect(backend.callsOf('set_time_zone').map((c) => c.args)).toEqual([{ timeZone: 'Asia/Tokyo' }]);
    expect(backend.callsOf('set_job_delay')).toHaveLength(0);
  });
});

describe('delaySeconds and delayMinutes', () => {
  it('turn minutes typed into whole seconds and back', () => {
    expect(delaySeconds('5')).toBe(300);
    expect(delaySeconds(' 0.5 ')).toBe(30);
    expect(delaySeconds('.25')).toBe(15);
    expect(delaySeconds('0')).toBe(0);
    expect(delaySeconds('10080')).toBe(604_800);
    for (const bad of ['', '-1', '10080.5', 'abc', '1e3', '5 min']) expect(delaySeconds(bad)).toBeUndefined();
    expect(delayMinutes(300)).toBe('5');
    expect(delayMinutes(30)).toBe('0.5');
    expect(delayMinutes(7)).toBe('0.1167');
    expect(delaySeconds(delayMinutes(7))).toBe(7);
  });
});

/** The About section's button named `name`, found by its words. */
function aboutButton(root: HTMLElement, name: string): HTMLButtonElement {
  const button = [...query(root, '#about').querySelectorAll<HTMLButtonElement>('button')].find(
    (b) => b.textContent === name,
  );
  if (button === undefined) throw new Error(`no button "${name}" in About Userdesk`);
  return button;
}

describe('About Userdesk in Settings', () => {
  it('shows the version, checks for updates and offers "Restart to update" once one is ready', async () => {
    const { root, backend } = mount({ rows: 10 });
    await waitFor(() => visibleRows(root).length > 0);
    backend.nextUpdate = {
      version: '0.1.0',
      status: 'ready',
      message: 'Userdesk 0.2.0 is ready: restart to update.',
      offered: '0.2.0',
      canCheck: true,
      checked: 'Dec 5, 2026 10:00',
    };
    await openSettings(root);
    await waitFor(() => query(root, '#about-version').textContent === 'Userdesk 0.1.0');
    expect(query(root, '#update-message').textContent).toBe('Userdesk looks for updates once a day.');
    expect(aboutButton(root, 'Restart to update').hidden).toBe(true);

    aboutButton(root, 'Check for updates').click();
    await waitFor(() => !aboutButton(root, 'Restart to update').hidden);
    expect(query(root, '#update-message').textContent).toBe(
      'Userdesk 0.2.0 is ready: restart to update. Last checked Dec 5, 2026 10:00.',
    );
    aboutButton(root, 'Restart to update').click();
    await waitFor(() => backend.callsOf('restart_to_update').length === 1);
  });

  it('says a refused update and offers nothing to install', async () => {
    const { root, backend } = mount({ rows: 10 });
    await waitFor(() => visibleRows(root).length > 0);
    backend.nextUpdate = {
      version: '0.1.0',
      status: 'refused',
      message: 'The update server offers 0.0.9, older than this version (0.1.0): an older version is never installed.',
      offered: '0.0.9',
      canCheck: true,
    };
    await openSettings(root);
    aboutButton(root, 'Check for updates').click();
    await waitFor(() => query(root, '#update-message').textContent?.startsWith('The update server offers 0.0.9') === true);
    expect(aboutButton(root, 'Restart to update').hidden).toBe(true);
  });

  it('says a package manager updates a packaged copy, with no button to check', async () => {
    const { root, backend } = mount({ rows: 10 });
    await waitFor(() => visibleRows(root).length > 0);
    backend.update = {
      version: '0.1.0',
      status: 'package_manager',
      message: "Installed as a Debian package: updates come with the system's other updates (apt or the software centre).",
      canCheck: false,
    };
    await openSettings(root);
    await waitFor(() => query(root, '#update-message').textContent?.startsWith('Installed as a Debian package') === true);
    expect(aboutButton(root, 'Check for updates').hidden).toBe(true);
    expect(aboutButton(root, 'Restart to update').hidden).toBe(true);
  });

  it('opens the logs folder and copies the diagnostics', async () => {
    const { root, backend } = mount({ rows: 10 });
    await waitFor(() => visibleRows(root).length > 0);
    await openSettings(root);
    aboutButton(root, 'Open logs folder').click();
    await waitFor(() => backend.callsOf('open_logs_folder').length === 1);
    aboutButton(root, 'Copy diagnostics').click();
    await waitFor(() => query(root, '#about-note').textContent?.startsWith('Diagnostics copied') === true);
    expect(backend.clipboard).toContain('Userdesk 0.1.0');
  });
});

describe('the words of the help page', () => {
  it('titles the customer panel "Details" and keeps the time zone under "Your profile"', async () => {
    const { root } = mount({ rows: 10 });
    const row = await waitFor(() => root.querySelector<HTMLElement>(`.row[data-id="${fakeId(1)}"]`));
    query<HTMLButtonElement>(row, 'button.username').click();
    await waitFor(() => query(root, '#details-title').closest('[hidden]') === null);
    expect(query(root, '#details-title').textContent).toBe('Details');
    expect(query(root, '#details').getAttribute('aria-labelledby')).toBe('details-title details-name');
    expect(query(root, '#details .section-title').textContent).toBe('User Details');

    await openSettings(root);
    const profile = query(root, '#your-profile');
    expect(profile.textContent).toBe('Your profile');
    // The time zone is the field under it.
    expect(profile.nextElementSibling?.querySelector('select#time-zone')).not.toBeNull();
  });
});
