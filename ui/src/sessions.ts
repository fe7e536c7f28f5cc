// The Details window's record of the customer's time with the bots: Goal completions (each
// opening the session it was completed in), Bot sessions (searchable by bot name, sorted by end
// time either way, a star where a goal was completed, the device, and whether an agent took
// over) and the Bot conversation of the session picked. Each section hides while empty; each
// says the time zone its times are in.

import type { Backend } from './api';
import type { Conversation } from './bindings/Conversation';
import type { GoalCompletionView } from './bindings/GoalCompletionView';
import type { ProfileId } from './bindings/ProfileId';
import type { Sender } from './bindings/Sender';
import type { SessionId } from './bindings/SessionId';
import type { SessionOrder } from './bindings/SessionOrder';
import type { SessionView } from './bindings/SessionView';
import { clear, el, setText } from './dom';
import { PLATFORM_LABELS } from './format';
import { latestOnly } from './latest';

export interface SessionsOptions {
  readonly backend: Backend;
  readonly onError: (error: unknown) => void;
}

export interface SessionsSections {
  /** Goal completions, Bot sessions and Bot conversation, in that order. */
  readonly elements: readonly [HTMLElement, HTMLElement, HTMLElement];
  load(profileId: ProfileId): Promise<void>;
  reset(): void;
  /** The manager's time zone, which the times shown are in. */
  setTimeZone(zone: string): void;
}

const SENDER_LABELS: Readonly<Record<Sender, string>> = {
  customer: 'Customer',
  bot: 'Bot',
  agent: 'Agent',
};

/** Waits this long after a keystroke before searching. */
const SEARCH_DELAY_MS = 150;

/** "Mobile Web · Safari 17 · ended Nov 3, 2026 10:00"; the platform alone when there is no
 * device or the device is the platform itself ("Telegram", not "Telegram · Telegram"). */
export function sessionMeta(session: SessionView): string {
  const platform = PLATFORM_LABELS[session.platform];
  const device = session.device.trim();
  const same = device === '' || device.toLowerCase() === platform.toLowerCase();
  return [platform, ...(same ? [] : [device]), `ended ${session.ended}`].join(' · ');
}

export function createSessionsSections(options: SessionsOptions): SessionsSections {
  const { backend } = options;

  const goalList = el('ul', { id: 'goal-completions', class: 'record-list' });
  const goalsZone = el('p', { id: 'goal-completions-zone', class: 'zone-hint' });
  const goals = el(
    'section',
    { class: 'details-section', 'data-section': 'goals', hidden: true },
    el('h3', { class: 'section-title' }, 'Goal completions'),
    goalsZone,
    goalList,
  );

  const search = el('input', {
    id: 'sessions-search',
    type: 'search',
    class: 'field-input sessions-search',
    placeholder: 'Search by bot name',
    'aria-label': 'Search bot sessions by bot name',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const sort = el('button', { type: 'button', id: 'sessions-sort', class: 'button-secondary', 'aria-label': 'Sort by end time' });
  const sessionList = el('ul', { id: 'sessions', class: 'record-list', role: 'listbox', 'aria-label': 'Bot sessions' });
  const noMatch = el('p', { id: 'sessions-none', class: 'muted', hidden: true }, 'No session with such a bot.');
  const sessionsZone = el('p', { id: 'sessions-zone', class: 'zone-hint' });
  const sessions = el(
    'section',
    { class: 'details-section', 'data-section': 'sessions', hidden: true },
    el('h3', { class: 'section-title' }, 'Bot sessions'),
    sessionsZone,
    el('div', { class: 'sessions-tools' }, search, sort),
    sessionList,
    noMatch,
  );

  const talkHeading = el('p', { id: 'conversation-heading', class: 'conversation-heading' });
  const talkZone = el('p', { id: 'conversation-zone', class: 'zone-hint' });
  const talkList = el('ol', { id: 'conversation', class: 'conversation', 'aria-label': 'Conversation' });
  const conversation = el(
    'section',
    { class: 'details-section', 'data-section': 'conversation', hidden: true },
    el('h3', { class: 'section-title' }, 'Bot conversation'),
    talkHeading,
    talkZone,
    talkList,
  );

  let profileId: ProfileId | undefined;
  let order: SessionOrder = 'newestFirst';
  let selected: SessionId | undefined;
  const sessionReads = latestOnly();
  let searchTimer: ReturnType<typeof setTimeout> | undefined;

  function renderSort(): void {
    setText(sort, order === 'newestFirst' ? 'End time ↓' : 'End time ↑');
    sort.setAttribute('data-order', order);
    sort.title = order === 'newestFirst' ? 'Latest first: click for oldest first' : 'Oldest first: click for latest first';
  }
  renderSort();

  function renderGoals(list: readonly GoalCompletionView[]): void {
    clear(goalList);
    goals.hidden = list.length === 0;
    for (const goal of list) {
      goalList.append(
        el(
          'li',
          { class: 'record goal', 'data-goal': goal.id },
          el('span', { class: 'record-title' }, goal.goal === '' ? 'A goal' : goal.goal),
          el('span', { class: 'record-meta' }, `${goal.bot} · ${goal.completed}`),
          sessionLink(goal.sessionId),
        ),
      );
    }
  }

  /** "View session": its conversation shows, and the session is marked in the list. */
  function sessionLink(sessionId: SessionId): HTMLButtonElement {
    const link = el('button', { type: 'button', class: 'link-button goal-session', 'data-session': sessionId }, 'View session');
    link.addEventListener('click', () => {
      void pick(sessionId);
      const item = [...sessionList.querySelectorAll<HTMLElement>('.session')].find((i) => i.dataset['session'] === sessionId);
      item?.scrollIntoView({ block: 'nearest' });
    });
    return link;
  }

  function renderSessions(list: readonly SessionView[]): void {
    clear(sessionList);
    const searching = search.value.trim() !== '';
    // The section shows once the customer has sessions; a search that matches none says so.
    if (!searching) sessions.hidden = list.length === 0;
    noMatch.hidden = !(searching && list.length === 0);
    for (const session of list) {
      const star = session.goalCompleted ? el('span', { class: 'star', title: 'A goal was completed', 'aria-label': 'A goal was completed' }, '★') : null;
      const item = el(
        'li',
        {
          class: 'record session',
          role: 'option',
          tabindex: 0,
          'data-session': session.id,
          'aria-selected': String(session.id === selected),
        },
        el(
          'span',
          { class: 'record-title' },
          star,
          session.bot,
          session.liveChatTakeover ? el('span', { class: 'takeover-tag' }, 'Agent took over') : null,
        ),
        el('span', { class: 'record-meta' }, sessionMeta(session)),
      );
      item.addEventListener('click', () => void pick(session.id));
      item.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          void pick(session.id);
        }
      });
      sessionList.append(item);
    }
  }

  function renderConversation(talk: Conversation | undefined): void {
    clear(talkList);
    conversation.hidden = talk === undefined;
    if (talk === undefined) return;
    setText(talkHeading, `${talk.session.bot} · ${PLATFORM_LABELS[talk.session.platform]} · ${talk.session.started}`);
    if (talk.messages.length === 0) {
      talkList.append(el('li', { class: 'muted' }, 'No messages in this session.'));
    }
    for (const message of talk.messages) {
      talkList.append(
        el(
          'li',
          { class: `message message-${message.sender}`, 'data-sender': message.sender },
          el('span', { class: 'message-sender' }, message.sender === 'bot' ? talk.session.bot : SENDER_LABELS[message.sender]),
          el('p', { class: 'message-body' }, message.body),
          el('span', { class: 'message-time' }, message.sent),
        ),
      );
    }
  }

  async function pick(sessionId: SessionId): Promise<void> {
    const id = profileId;
    selected = sessionId;
    for (const item of sessionList.querySelectorAll<HTMLElement>('.session')) {
      item.setAttribute('aria-selected', String(item.dataset['session'] === sessionId));
    }
    try {
      const talk = await backend.conversation(sessionId);
      if (profileId !== id || selected !== sessionId) return;
      renderConversation(talk);
    } catch (error) {
      options.onError(error);
    }
  }

  async function refreshSessions(): Promise<void> {
    const id = profileId;
    if (id === undefined) return;
    const ticket = sessionReads.begin();
    try {
      const list = await backend.botSessions(id, search.value, order);
      if (!ticket.isCurrent() || profileId !== id) return;
      renderSessions(list);
    } catch (error) {
      options.onError(error);
    }
  }

  search.addEventListener('input', () => {
    if (searchTimer !== undefined) clearTimeout(searchTimer);
    searchTimer = setTimeout(() => void refreshSessions(), SEARCH_DELAY_MS);
  });
  search.addEventListener('keydown', (event) => {
    // Escape clears the search first; the panel closes on the next one.
    if (event.key === 'Escape' && search.value !== '') {
      event.preventDefault();
      event.stopPropagation();
      search.value = '';
      void refreshSessions();
    }
  });
  sort.addEventListener('click', () => {
    order = order === 'newestFirst' ? 'oldestFirst' : 'newestFirst';
    renderSort();
    void refreshSessions();
  });

  function reset(): void {
    profileId = undefined;
    selected = undefined;
    sessionReads.drop();
    search.value = '';
    renderGoals([]);
    sessions.hidden = true;
    clear(sessionList);
    noMatch.hidden = true;
    renderConversation(undefined);
  }

  return {
    elements: [goals, sessions, conversation],
    setTimeZone(zone) {
      for (const hint of [goalsZone, sessionsZone, talkZone]) setText(hint, `Times in ${zone}`);
    },
    async load(id) {
      if (profileId !== id) reset();
      profileId = id;
      try {
        const [goalViews, sessionViews] = await Promise.all([
          backend.goalCompletions(id),
          backend.botSessions(id, search.value, order),
        ]);
        if (profileId !== id) return;
        renderGoals(goalViews);
        renderSessions(sessionViews);
      } catch (error) {
        options.onError(error);
      }
    },
    reset,
  };
}
