// The left pane, as the platform has it: Users (All users, Segments, Properties: the tabs, then
// the Trash with how many customers it holds) and Goals (each goal with its bot and how many
// customers completed it; a click shows them).

import type { GoalId } from './bindings/GoalId';
import type { GoalSummary } from './bindings/GoalSummary';
import { clear, el, setText } from './dom';
import { formatNumber } from './format';

export type TabName = 'users' | 'segments' | 'properties';
/** What the main area shows: a tab's panel, or the Trash (opened from its own entry, not a tab). */
export type ViewName = TabName | 'trash';

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
  /** Trash was clicked: show the customers deleted. */
  readonly onTrash: () => void;
}

export interface SideNav {
  readonly element: HTMLElement;
  /** Marks the tab (or the Trash) shown, and the goal whose customers the table shows, if any. */
  setCurrent(view: ViewName, goal: GoalId | undefined): void;
  /** How many customers the Trash holds, shown beside it (nothing when it is empty). */
  setTrashCount(total: number): void;
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

  // The Trash: not a tab (it shows no list of the tabs), but the same look, under them.
  const trashCount = el('span', { id: 'trash-count', class: 'trash-count', hidden: true });
  const trashButton = el(
    'button',
    { type: 'button', id: 'nav-trash', class: 'tab trash-nav', 'aria-controls': 'trash-view', title: 'Customers deleted in the last 30 days' },
    el('span', { class: 'trash-label' }, 'Trash'),
    trashCount,
  );
  trashButton.addEventListener('click', () => options.onTrash());

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
    trashButton,
    el('h2', { class: 'side-heading', id: 'nav-goals' }, 'Goals'),
    goalList,
  );

  let current: { tab: ViewName; goal: GoalId | undefined } = { tab: 'users', goal: undefined };

  function mark(): void {
    TABS.forEach(({ name }, i) => {
      const button = tabButtons[i];
      if (button === undefined) return;
      const selected = name === current.tab;
      button.classList.toggle('is-active', selected);
      button.setAttribute('aria-selected', String(selected));
      // Only the selected tab is in the Tab order; the arrow keys reach the others. While the
      // Trash is shown, no tab is selected: the first one stays in the Tab order.
      button.tabIndex = selected || (current.tab === 'trash' && i === 0) ? 0 : -1;
    });
    const inTrash = current.tab === 'trash';
    trashButton.classList.toggle('is-active', inTrash);
    if (inTrash) trashButton.setAttribute('aria-current', 'page');
    else trashButton.removeAttribute('aria-current');
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
    setCurrent(view, goal) {
      current = { tab: view, goal };
      mark();
    },
    setTrashCount(total) {
      trashCount.hidden = total === 0;
      // Read with the name, "Trash 12" (the space leads the badge, where the layout drops it); an
      // empty Trash is just "Trash".
      setText(trashCount, total === 0 ? '' : ` ${formatNumber(total)}`);
    },
    setGoals,
  };
}
