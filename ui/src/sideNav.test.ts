import { describe, expect, it } from 'vitest';

import { goalCompletionId, sessionId } from './ids';
import { FakeBackend, fakeId } from './testing/fakeBackend';
import { lastFilter, mount, press, query, settle, type, visibleRows, waitFor } from './testing/harness';

function goalButtons(root: HTMLElement): HTMLButtonElement[] {
  return [...root.querySelectorAll<HTMLButtonElement>('#goals-list button.goal')];
}

function goalNamed(root: HTMLElement, name: string): HTMLButtonElement {
  const button = goalButtons(root).find((b) => b.querySelector('.goal-name')?.textContent === name);
  if (button === undefined) throw new Error(`no goal ${name}`);
  return button;
}

/** 500 customers: the first 3 booked a demo (the first twice), the 10th asked for a refund. */
function withCompletions(): FakeBackend {
  const backend = new FakeBackend({ rows: 500 });
  const completion = (goal: string, bot: string, n: number) => ({
    id: goalCompletionId(`c${n}`),
    goal,
    bot,
    completed: 'Nov 1, 2026 09:03',
    sessionId: sessionId(`s${n}`),
  });
  backend.goalsByProfile.set(fakeId(0), [completion('Booked a demo', 'Sales Bot', 1), completion('Booked a demo', 'Sales Bot', 2)]);
  backend.goalsByProfile.set(fakeId(1), [completion('Booked a demo', 'Sales Bot', 3)]);
  backend.goalsByProfile.set(fakeId(2), [completion('Booked a demo', 'Sales Bot', 4)]);
  backend.goalsByProfile.set(fakeId(9), [completion('Refund requested', 'Support Bot', 5)]);
  return backend;
}

describe('the left pane', () => {
  it('lists Users (All users, Segments, Properties) and Goals, as the platform does', async () => {
    const backend = withCompletions();
    const { root } = mount(backend);
    await waitFor(() => goalButtons(root).length === 2);
    const nav = query(root, 'nav.side-nav');
    expect([...nav.querySelectorAll('.side-heading')].map((h) => h.textContent)).toEqual(['Users', 'Goals']);
    expect([...nav.querySelectorAll('[role=tab]')].map((t) => t.textContent)).toEqual(['All users', 'Segments', 'Properties']);
    expect(query(nav, '[role=tablist]').getAttribute('aria-orientation')).toBe('vertical');
    // Each goal with its bot and how many customers completed it (a customer counts once).
    expect(goalButtons(root).map((b) => b.textContent)).toEqual([
      'Booked a demoSales Bot · 3 completed',
      'Refund requestedSupport Bot · 1 completed',
    ]);
  });

  it('opens the customers who completed a goal, whatever the search and status, and back', async () => {
    const backend = withCompletions();
    const { root } = mount(backend);
    await waitFor(() => visibleRows(root).length > 0 && goalButtons(root).length === 2);
    type(query<HTMLInputElement>(root, '#search'), 'zzz');
    press(query(root, '#search'), 'Enter');
    await waitFor(() => query(root, '#count').textContent === '0 users');

    goalNamed(root, 'Booked a demo').click();
    await waitFor(() => query(root, '#count').textContent === '3 users');
    const filter = lastFilter(backend);
    expect(filter?.goal).toBe(backend.goalList.find((g) => g.name === 'Booked a demo')?.id);
    expect(filter?.search).toBe('');
    expect(filter?.status).toBeUndefined();
    expect(query<HTMLInputElement>(root, '#search').value).toBe('');
    expect(visibleRows(root).map((r) => r.dataset['id'])).toEqual([fakeId(0), fakeId(1), fakeId(2)]);
    const chip = query(root, '#goal-filter');
    expect(chip.hidden).toBe(false);
    expect(chip.textContent).toBe('Completed Booked a demo (Sales Bot)');
    expect(goalNamed(root, 'Booked a demo').getAttribute('aria-current')).toBe('true');
    expect(goalNamed(root, 'Refund requested').hasAttribute('aria-current')).toBe(false);

    // The other filters narrow it; another goal replaces it.
    goalNamed(root, 'Refund requested').click();
    await waitFor(() => query(root, '#count').textContent === '1 user');
    expect(goalNamed(root, 'Booked a demo').hasAttribute('aria-current')).toBe(false);

    // The chip's button shows everyone again.
    query<HTMLButtonElement>(root, '#goal-filter-clear').click();
    await waitFor(() => query(root, '#count').textContent === '500 users');
    expect(lastFilter(backend)?.goal).toBeUndefined();
    expect(chip.hidden).toBe(true);
    expect(goalNamed(root, 'Refund requested').hasAttribute('aria-current')).toBe(false);
    expect(document.activeElement).toBe(query(root, '#search'));
  });

  it('shows a goal from the Segments tab on All users, and the arrow keys move between tabs', async () => {
    const backend = withCompletions();
    const { root } = mount(backend);
    await waitFor(() => visibleRows(root).length > 0 && goalButtons(root).length === 2);
    query<HTMLButtonElement>(root, '#tab-segments').click();
    await settle();
    expect(query(root, '#users-panel').hidden).toBe(true);
    goalNamed(root, 'Refund requested').click();
    await waitFor(() => query(root, '#count').textContent === '1 user');
    expect(query(root, '#users-panel').hidden).toBe(false);
    expect(query(root, '#tab-all-users').getAttribute('aria-selected')).toBe('true');

    query<HTMLButtonElement>(root, '#tab-all-users').focus();
    press(query(root, '#tab-all-users'), 'ArrowDown');
    await settle();
    expect(query(root, '#tab-segments').getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(query(root, '#tab-segments'));
    press(query(root, '#tab-segments'), 'ArrowUp');
    await settle();
    expect(query(root, '#tab-all-users').getAttribute('aria-selected')).toBe('true');
  });

  it('opens All users from the pane\'s Users, as the help page says', async () => {
    const backend = withCompletions();
    const { root } = mount(backend);
    await waitFor(() => visibleRows(root).length > 0);
    query<HTMLButtonElement>(root, '#tab-properties').click();
    await settle();
    expect(query(root, '#users-panel').hidden).toBe(true);
    const users = [...root.querySelectorAll<HTMLButtonElement>('nav.side-nav button')].find((b) => b.textContent === 'Users');
    if (users === undefined) throw new Error('no Users button in the left pane');
    users.click();
    await settle();
    expect(query(root, '#users-panel').hidden).toBe(false);
    expect(query(root, '#tab-all-users').getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(query(root, '#tab-all-users'));
  });

  it('offers the Trash under the tabs, with its count, and keeps the tabs in the Tab order while it is shown', async () => {
    const backend = new FakeBackend({ rows: 20 });
    backend.seedTrashed(3, 'grace@example.com');
    const { root } = mount(backend);
    const trash = query<HTMLButtonElement>(root, 'nav.side-nav button#nav-trash');
    await waitFor(() => trash.textContent === 'Trash 1');
    expect(trash.getAttribute('role')).toBeNull();
    expect(trash.previousElementSibling).toBe(query(root, 'nav.side-nav [role=tablist]'));
    expect(trash.tabIndex).toBe(0);

    trash.click();
    await waitFor(() => !query(root, '#trash-view').hidden);
    expect(query(root, '#users-panel').hidden).toBe(true);
    expect(trash.getAttribute('aria-current')).toBe('page');
    expect([...root.querySelectorAll('[role=tab]')].map((t) => t.getAttribute('aria-selected'))).toEqual(['false', 'false', 'false']);
    // No tab is selected, so the first one stays reachable with Tab.
    expect(query<HTMLButtonElement>(root, '#tab-all-users').tabIndex).toBe(0);
    // The search and filters belong to All users.
    expect(query(root, '#search').closest('[hidden]')).not.toBeNull();

    query<HTMLButtonElement>(root, '#tab-segments').click();
    await settle();
    expect(query(root, '#trash-view').hidden).toBe(true);
    expect(trash.hasAttribute('aria-current')).toBe(false);
    expect(query<HTMLButtonElement>(root, '#tab-all-users').tabIndex).toBe(-1);
  });

  it('says so when there are no goals, and a goal read fails in the banner', async () => {
    const backend = new FakeBackend({ rows: 20 });
    backend.goalList = [];
    const { root } = mount(backend);
    await waitFor(() => root.querySelector('#goals-list .goal-empty') !== null);
    expect(query(root, '#goals-list .goal-empty').textContent).toContain('No goals yet');

    const failing = new FakeBackend({ rows: 20 });
    failing.failNext('goal_summaries', { code: 'storage', message: 'the local database failed: disk I/O error', fields: [] });
    const second = mount(failing);
    await waitFor(() => second.root.querySelector('#error-banner:not([hidden])') !== null);
    expect(query(second.root, '#error-banner').textContent).toContain('disk I/O error');
  });
});
