// The left pane, as the platform has it: Users (All users, Segments, Properties: the tabs) and
// Goals (each goal with its bot and how many customers completed it; a click shows them).

import type { GoalId } from './bindings/GoalId';
import type { GoalSummary } from './bindings/GoalSummary';
import { clear, el } from './dom';
import { formatNumber } from './format';

export type TabName = 'users' | 'segments' | 'properties';

/** Each tab, its element id and the id of the panel it shows. */
export const TABS: readonly { readonly name: TabName; readonly id: string; readonly label: string; readonly panel: string }[] = [
  { name: 'users', id: 'tab-all-users', label: 'All users', panel: 'users-panel' },
  { name: 'segments', id: 'tab-segments', label: 'Segments', panel: 'segments-panel' },
  { name: 'properties', id: 'tab-properties', label: 'Properties', panel: 'properties-panel' },
];

export interface SideNavOptions {
  /** A tab was picked (by click or with the arrow keys). */
  readonly onTab: (tab: TabName) => void;
  /** A goal was clicked: show the customers who completed it. */
  readonly onGoal: (goal: GoalSummary) => void;
}

export interface SideNav {
  readonly element: HTMLElement;
  /** Marks the tab shown, and the goal whose customers the table shows, if any. */
  setCurrent(tab: TabName, goal: GoalId | undefined): void;
  /** Lists the goals (by name, as the core gives them). */
  setGoals(goals: readonly GoalSummary[]): void;
}

/** "1 completed", "1,204 completed". */
export function completedText(count: number): string {
  return `${formatNumber(count)} completed`;
}

export function createSideNav(options: SideNavOptions): SideNav {
  const tabButtons = TABS.map(({ name, id, label, panel }) => {
    const button = el('button', { type: 'button', class: 'tab', role: 'tab', id, 'aria-controls': panel, 'data-tab': name }, label);
    button.addEventListener('click', () => options.onTab(name));
    return button;
  });
  const tabList = el(
    'div',
    { class: 'tabs', role: 'tablist', 'aria-orientation': 'vertical', 'aria-labelledby': 'nav-users' },
    ...tabButtons,
  );
  // The arrow keys move between the tabs (and show each), Home and End go to the first and last.
  tabList.addEventListener('keydown', (event) => {
    const at = tabButtons.findIndex((button) => button === document.activeElement);
    if (at < 0) return;
    const last = tabButtons.length - 1;
    const next = at === last ? 0 : at + 1;
    const previous = at === 0 ? last : at - 1;
    const moves: Record<string, number> = { ArrowDown: next, ArrowRight: next, ArrowUp: previous, ArrowLeft: previous, Home: 0, End: last };
    const to = moves[event.key];
    const tab = to === undefined ? undefined : TABS[to];
    if (to === undefined || tab === undefined) return;
    event.preventDefault();
    tabButtons[to]?.focus();
    options.onTab(tab.name);
  });

  const goalList = el('ul', { id: 'goals-list', class: 'goal-list', 'aria-labelledby': 'nav-goals' });
  let goalButtons: { readonly id: GoalId; readonly button: HTMLButtonElement }[] = [];

  // "In the left pane, hover over Users, and then click Users": the heading opens All users.
  const usersButton = el('button', { type: 'button', class: 'side-heading-button' }, 'Users');
  usersButton.addEventListener('click', () => {
    tabButtons[0]?.focus();
    options.onTab('users');
  });
  const element = el(
    'nav',
    { class: 'side-nav', 'aria-label': 'Lists' },
    el('h2', { class: 'side-heading', id: 'nav-users' }, usersButton),
    tabList,
    el('h2', { class: 'side-heading', id: 'nav-goals' }, 'Goals'),
    goalList,
  );

  let current: { tab: TabName; goal: GoalId | undefined } = { tab: 'users', goal: undefined };

  function mark(): void {
    TABS.forEach(({ name }, i) => {
      const button = tabButtons[i];
      if (button === undefined) return;
      const selected = name === current.tab;
      button.classList.toggle('is-active', selected);
      button.setAttribute('aria-selected', String(selected));
      // Only the selected tab is in the Tab order; the arrow keys reach the others.
      button.tabIndex = selected ? 0 : -1;
    });
    for (const { id, button } of goalButtons) {
      const shown = current.tab === 'users' && id === current.goal;
      button.classList.toggle('is-active', shown);
      if (shown) button.setAttribute('aria-current', 'true');
      else button.removeAttribute('aria-current');
    }
  }

  function setGoals(goals: readonly GoalSummary[]): void {
    clear(goalList);
    goalButtons = goals.map((goal) => {
      const button = el(
        'button',
        { type: 'button', class: 'goal', 'data-goal-id': goal.id, title: `Show the customers who completed ${goal.name}` },
        el('span', { class: 'goal-name' }, goal.name),
        el('span', { class: 'goal-meta' }, `${goal.bot} · ${completedText(goal.completed)}`),
      );
      button.addEventListener('click', () => options.onGoal(goal));
      goalList.append(el('li', {}, button));
      return { id: goal.id, button };
    });
    if (goals.length === 0) goalList.append(el('li', { class: 'goal-empty' }, 'No goals yet: they come with the bots, from the server.'));
    mark();
  }

  mark();
  return {
    element,
    setCurrent(tab, goal) {
      current = { tab, goal };
      mark();
    },
    setGoals,
  };
}
