// The Segments tab: named groups of customers, with how many belong to each. A segment holds its
// hand-picked members plus, when it has rules, every customer who meets all of them (a goal
// completed or not, a property compared with a value, a status, a Last seen window). Opening one
// shows All users filtered to it.

import { refusalText, type Backend } from './api';
import type { Goal } from './bindings/Goal';
import type { LastSeenWindow } from './bindings/LastSeenWindow';
import type { ProfileStatus } from './bindings/ProfileStatus';
import type { PropertyFormat } from './bindings/PropertyFormat';
import type { PropertyView } from './bindings/PropertyView';
import type { RuleOperator } from './bindings/RuleOperator';
import type { SegmentDraft } from './bindings/SegmentDraft';
import type { SegmentRule } from './bindings/SegmentRule';
import type { SegmentView } from './bindings/SegmentView';
import { clear, el, setText } from './dom';
import { LAST_SEEN_LABELS, OPERATOR_LABELS, STATUS_LABELS, formatNumber } from './format';
import { closeIcon, searchIcon } from './icons';
import { goalId, propertyId } from './ids';
import { latestOnly } from './latest';
import { createModal } from './modal';
import { createValueControl, type ValueControl } from './propertyValue';

export interface SegmentsOptions {
  readonly backend: Backend;
  /** A segment was created, changed or deleted: the Segment filter's menu is out of date. */
  readonly onChanged: () => void;
  /** Open: All users, filtered to the segment. */
  readonly onOpen: (segment: SegmentView) => void;
  /** An error loading the list (a refused form shows its reason in the form). */
  readonly onError: (error: unknown) => void;
}

export interface SegmentsPanel {
  readonly element: HTMLElement;
  /** Reads the list again, with the current search. */
  load(): Promise<void>;
  /** Closes an open form or confirmation without saving. */
  closeDialogs(): void;
}

type RuleKind = SegmentRule['rule'];

const RULE_LABELS: Readonly<Record<RuleKind, string>> = {
  goal: 'Goal',
  property: 'Property',
  status: 'Status',
  last_seen: 'Last seen',
};

const OPERATORS: readonly RuleOperator[] = ['equals', 'not_equals', 'contains', 'greater_than', 'less_than', 'is_set', 'is_not_set'];

/** The operators that fit a format: only text is searched for a part, only numbers and dates
 * compare as greater or less (the core refuses the others). */
const FITTING: Readonly<Record<PropertyFormat, ReadonlySet<RuleOperator>>> = {
  text: new Set(['equals', 'not_equals', 'contains', 'is_set', 'is_not_set']),
  number: new Set(['equals', 'not_equals', 'greater_than', 'less_than', 'is_set', 'is_not_set']),
  date: new Set(['equals', 'not_equals', 'greater_than', 'less_than', 'is_set', 'is_not_set']),
  boolean: new Set(['equals', 'not_equals', 'is_set', 'is_not_set']),
  choice: new Set(['equals', 'not_equals', 'is_set', 'is_not_set']),
};
const WINDOWS: readonly Exclude<LastSeenWindow, 'any'>[] = ['today', 'last7Days', 'last30Days'];
const STATUSES: readonly ProfileStatus[] = ['active', 'archived'];

const SEARCH_DELAY_MS = 150;

interface RuleEditor {
  readonly element: HTMLLIElement;
  read(): SegmentRule;
}

function option(value: string, text: string): HTMLOptionElement {
  return el('option', { value }, text);
}

/** A menu of `items`, keeping a value that is no longer among them (a goal or property gone since). */
function menu(attrs: Record<string, string>, items: readonly (readonly [string, string])[], value: string | undefined, missing: string): HTMLSelectElement {
  const select = el('select', attrs);
  for (const [v, text] of items) select.append(option(v, text));
  if (value !== undefined && !items.some(([v]) => v === value)) select.append(option(value, missing));
  if (value !== undefined) select.value = value;
  return select;
}

function ruleEditor(kind: RuleKind, initial: SegmentRule | undefined, goals: readonly Goal[], properties: readonly PropertyView[]): RuleEditor {
  const controls = el('div', { class: 'rule-controls' });
  const remove = el(
    'button',
    { type: 'button', class: 'icon-button rule-remove', 'aria-label': 'Remove rule', title: 'Remove rule' },
    closeIcon(),
  );
  const element = el('li', { class: 'segment-rule', 'data-rule': kind }, el('span', { class: 'rule-label' }, RULE_LABELS[kind]), controls, remove);
  remove.addEventListener('click', () => {
    const list = element.parentElement;
    const next = element.nextElementSibling?.querySelector<HTMLElement>('.rule-remove');
    element.remove();
    list?.dispatchEvent(new Event('rules-changed'));
    next?.focus();
  });

  switch (kind) {
    case 'goal': {
      const start = initial?.rule === 'goal' ? initial : undefined;
      const goal = menu(
        { class: 'rule-goal', 'aria-label': 'Goal' },
        goals.map((g) => [g.id, g.bot === '' ? g.name : `${g.name} (${g.bot})`] as const),
        start?.goal_id,
        'A goal no longer tracked',
      );
      const completed = menu(
        { class: 'rule-completed', 'aria-label': 'Completed or not' },
        [
          ['true', 'completed'],
          ['false', 'not completed'],
        ],
        start === undefined ? undefined : String(start.completed),
        '',
      );
      controls.append(goal, completed);
      return { element, read: () => ({ rule: 'goal', goal_id: goalId(goal.value), completed: completed.value === 'true' }) };
    }
    case 'property': {
      const start = initial?.rule === 'property' ? initial : undefined;
      const property = menu(
        { class: 'rule-property', 'aria-label': 'Property' },
        properties.map((p) => [p.id, p.name] as const),
        start?.property_id,
        'A deleted property',
      );
      const operator = el('select', { class: 'rule-operator', 'aria-label': 'Operator' });
      const definition = (): PropertyView | undefined => properties.find((p) => p.id === property.value);
      /** Offers the operators fitting the property picked, keeping the one chosen if it fits. */
      function fillOperators(wanted: RuleOperator | undefined): void {
        const fitting = OPERATORS.filter((o) => {
          const format = definition()?.format;
          return format === undefined || FITTING[format].has(o) || o === wanted;
        });
        clear(operator);
        for (const o of fitting) operator.append(option(o, OPERATOR_LABELS[o]));
        operator.value = wanted !== undefined && fitting.includes(wanted) ? wanted : 'equals';
      }
      fillOperators(start?.operator);
      let value: ValueControl = valueFor(start?.value ?? '');
      function valueFor(text: string): ValueControl {
        const picked = definition();
        return createValueControl(picked?.format ?? 'text', picked?.choices ?? [], { class: 'rule-value field-input', 'aria-label': 'Value' }, text);
      }
      function showValue(): void {
        value.hidden = operator.value === 'is_set' || operator.value === 'is_not_set';
      }
      property.addEventListener('change', () => {
        const chosen = operator.value as RuleOperator;
        const format = definition()?.format;
        fillOperators(format !== undefined && FITTING[format].has(chosen) ? chosen : undefined);
        const next = valueFor('');
        value.replaceWith(next);
        value = next;
        showValue();
      });
      operator.addEventListener('change', showValue);
      showValue();
      controls.append(property, operator, value);
      return {
        element,
        read: () => {
          const op = operator.value as RuleOperator;
          return { rule: 'property', property_id: propertyId(property.value), operator: op, value: op === 'is_set' || op === 'is_not_set' ? '' : value.value };
        },
      };
    }
    case 'status': {
      const start = initial?.rule === 'status' ? initial : undefined;
      const status = menu(
        { class: 'rule-status', 'aria-label': 'Status' },
        STATUSES.map((s) => [s, STATUS_LABELS[s]] as const),
        start?.status,
        '',
      );
      controls.append(el('span', { class: 'rule-word' }, 'is'), status);
      return { element, read: () => ({ rule: 'status', status: status.value as ProfileStatus }) };
    }
    case 'last_seen': {
      const start = initial?.rule === 'last_seen' ? initial : undefined;
      const seen = menu(
        { class: 'rule-last-seen', 'aria-label': 'Last seen' },
        WINDOWS.map((w) => [w, LAST_SEEN_LABELS[w]] as const),
        start?.window,
        LAST_SEEN_LABELS.any,
      );
      controls.append(seen);
      return { element, read: () => ({ rule: 'last_seen', window: seen.value as LastSeenWindow }) };
    }
  }
}

export function createSegmentsPanel(options: SegmentsOptions): SegmentsPanel {
  const { backend } = options;

  // ---- The list ----

  const search = el('input', {
    id: 'segments-search',
    type: 'search',
    placeholder: 'Search segments',
    'aria-label': 'Search segments by name',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const create = el('button', { type: 'button', id: 'segment-create', class: 'button-primary' }, 'Create segment');
  const body = el('tbody', {});
  const table = el(
    'table',
    { id: 'segments-table', class: 'list-table', 'aria-label': 'Segments' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { scope: 'col', class: 'cell-name' }, el('span', { class: 'head-label' }, 'Name')),
        el('th', { scope: 'col', class: 'cell-description' }, el('span', { class: 'head-label' }, 'Description')),
        el('th', { scope: 'col', class: 'cell-members' }, el('span', { class: 'head-label' }, 'Members')),
        el('th', { scope: 'col', class: 'cell-actions' }, el('span', { class: 'visually-hidden' }, 'Actions')),
      ),
    ),
    body,
  );
  const empty = el('p', { id: 'segments-empty', class: 'list-empty', hidden: true });
  const element = el(
    'section',
    { id: 'segments-panel', class: 'list-panel', role: 'tabpanel', 'aria-labelledby': 'tab-segments', hidden: true },
    el('div', { class: 'list-toolbar' }, el('label', { class: 'search' }, searchIcon(), search), el('span', { class: 'toolbar-spacer' }), create),
    el('div', { class: 'list-area' }, table, empty),
  );

  const reads = latestOnly();
  let searchTimer: ReturnType<typeof setTimeout> | undefined;

  function render(list: readonly SegmentView[]): void {
    clear(body);
    for (const segment of list) body.append(row(segment));
    empty.hidden = list.length > 0;
    setText(empty, search.value.trim() === '' ? 'No segments yet: create one to group customers.' : 'No segment matches this search.');
  }

  function row(segment: SegmentView): HTMLTableRowElement {
    const name = el('button', { type: 'button', class: 'segment-name', title: `Show the members of ${segment.name}` }, segment.name);
    const open = el('button', { type: 'button', class: 'button-secondary segment-open', 'aria-label': `Open ${segment.name}` }, 'Open');
    const edit = el('button', { type: 'button', class: 'button-secondary segment-edit', 'aria-label': `Edit ${segment.name}` }, 'Edit');
    const remove = el('button', { type: 'button', class: 'button-secondary segment-delete', 'aria-label': `Delete ${segment.name}` }, 'Delete');
    name.addEventListener('click', () => options.onOpen(segment));
    open.addEventListener('click', () => options.onOpen(segment));
    edit.addEventListener('click', () => void openForm(segment, edit));
    remove.addEventListener('click', () => askDelete(segment, remove));
    const nameCell = el('td', { class: 'cell-name' }, name);
    if (segment.pending) nameCell.append(el('span', { class: 'pending-mark segment-pending' }, 'Not synced yet'));
    return el(
      'tr',
      { class: 'segment-row', 'data-segment-id': segment.id },
      nameCell,
      el('td', { class: 'cell-description' }, segment.description === '' ? el('span', { class: 'is-empty' }, '—') : segment.description),
      el('td', { class: 'cell-members segment-members' }, formatNumber(segment.members)),
      el('td', { class: 'cell-actions' }, el('div', { class: 'row-actions' }, open, edit, remove)),
    );
  }

  async function load(): Promise<void> {
    const ticket = reads.begin();
    table.setAttribute('aria-busy', 'true');
    try {
      const list = await backend.segments(search.value.trim());
      if (ticket.isCurrent()) render(list);
    } catch (error) {
      if (ticket.isCurrent()) options.onError(error);
    } finally {
      if (ticket.isCurrent()) table.removeAttribute('aria-busy');
    }
  }

  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => void load(), SEARCH_DELAY_MS);
  });
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      clearTimeout(searchTimer);
      void load();
    } else if (event.key === 'Escape' && search.value !== '') {
      event.preventDefault();
      search.value = '';
      clearTimeout(searchTimer);
      void load();
    }
  });

  // ---- The form: name, description, rules ----

  const title = el('h2', { id: 'segment-dialog-title', class: 'dialog-title' });
  const nameInput = el('input', { id: 'segment-name', name: 'name', type: 'text', autocomplete: 'off', maxlength: 500 });
  const descriptionInput = el('textarea', { id: 'segment-description', name: 'description', class: 'dialog-textarea', rows: 2 });
  const rulesList = el('ol', { id: 'segment-rules', class: 'segment-rules', 'aria-label': 'Rules' });
  const noRules = el('p', { id: 'segment-rules-empty', class: 'dialog-hint' }, 'No rules: only the customers picked by hand belong to it.');
  const addRule = el('select', { id: 'segment-add-rule', class: 'add-rule', 'aria-label': 'Add rule' });
  const addRuleOptions = new Map<RuleKind, HTMLOptionElement>();
  addRule.append(option('', 'Add rule…'));
  for (const kind of Object.keys(RULE_LABELS) as RuleKind[]) {
    const item = option(kind, RULE_LABELS[kind]);
    addRuleOptions.set(kind, item);
    addRule.append(item);
  }
  const formError = el('p', { id: 'segment-error', class: 'dialog-error', role: 'alert', hidden: true });
  const save = el('button', { type: 'button', id: 'segment-save', class: 'button-primary' }, 'Save');
  const cancel = el('button', { type: 'button', id: 'segment-cancel', class: 'button-secondary' }, 'Cancel');
  const form = createModal(
    { id: 'segment-dialog', labelledBy: 'segment-dialog-title', onDismiss: () => closeForm() },
    title,
    el(
      'div',
      { class: 'dialog-form' },
      el('label', { class: 'dialog-field' }, el('span', { class: 'dialog-label' }, 'Name'), nameInput),
      el('label', { class: 'dialog-field' }, el('span', { class: 'dialog-label' }, 'Description'), descriptionInput),
      el(
        'fieldset',
        { class: 'dialog-fieldset' },
        el('legend', { class: 'dialog-label' }, 'Rules'),
        el('span', { class: 'dialog-hint' }, 'Customers who meet every rule belong to the segment.'),
        rulesList,
        noRules,
        el('span', { class: 'dialog-select add-rule-wrapper' }, addRule),
      ),
    ),
    formError,
    el('div', { class: 'dialog-actions' }, cancel, save),
  );
  form.dialog.classList.add('dialog-wide');

  let editing: SegmentView | undefined;
  let editors: RuleEditor[] = [];
  let goals: Goal[] = [];
  let properties: PropertyView[] = [];
  let saving = false;
  /** The reads of the rule menus' goals and properties, one per form opened. */
  const openings = latestOnly();

  function showFormError(text: string | undefined): void {
    formError.hidden = text === undefined;
    setText(formError, text ?? '');
  }

  function showRules(): void {
    editors = editors.filter((editor) => editor.element.isConnected);
    noRules.hidden = editors.length > 0;
  }
  rulesList.addEventListener('rules-changed', showRules);

  function addEditor(kind: RuleKind, initial?: SegmentRule): RuleEditor {
    const editor = ruleEditor(kind, initial, goals, properties);
    editors.push(editor);
    rulesList.append(editor.element);
    showRules();
    return editor;
  }

  addRule.addEventListener('change', () => {
    const kind = addRule.value as RuleKind | '';
    addRule.value = '';
    if (kind === '') return;
    const editor = addEditor(kind);
    editor.element.querySelector<HTMLElement>('select, input')?.focus();
  });

  async function openForm(segment: SegmentView | undefined, trigger: HTMLElement): Promise<void> {
    const ticket = openings.begin();
    try {
      // The rule menus offer the goals and properties as they are now.
      const [goalList, propertyList] = await Promise.all([backend.goals(), backend.properties('', 'name', 'asc')]);
      if (!ticket.isCurrent()) return;
      goals = goalList;
      properties = propertyList;
    } catch (error) {
      if (ticket.isCurrent()) options.onError(error);
      return;
    }
    editing = segment;
    setText(title, segment === undefined ? 'Create segment' : `Edit segment “${segment.name}”`);
    nameInput.value = segment?.name ?? '';
    descriptionInput.value = segment?.description ?? '';
    clear(rulesList);
    editors = [];
    for (const rule of segment?.rules ?? []) addEditor(rule.rule, rule);
    showRules();
    const goalOption = addRuleOptions.get('goal');
    const propertyOption = addRuleOptions.get('property');
    if (goalOption !== undefined) {
      goalOption.disabled = goals.length === 0;
      setText(goalOption, goals.length === 0 ? 'Goal (no goals yet)' : RULE_LABELS.goal);
    }
    if (propertyOption !== undefined) {
      propertyOption.disabled = properties.length === 0;
      setText(propertyOption, properties.length === 0 ? 'Property (no properties yet)' : RULE_LABELS.property);
    }
    addRule.value = '';
    showFormError(undefined);
    setSaving(false);
    form.open(trigger, nameInput);
  }

  function closeForm(): void {
    if (saving) return;
    editing = undefined;
    form.close();
  }

  function setSaving(on: boolean): void {
    saving = on;
    save.disabled = on;
    cancel.disabled = on;
    form.dialog.setAttribute('aria-busy', String(on));
  }

  function draft(): SegmentDraft {
    showRules();
    return { name: nameInput.value, description: descriptionInput.value, rules: editors.map((editor) => editor.read()) };
  }

  async function submit(): Promise<void> {
    if (saving) return;
    const current = editing;
    setSaving(true);
    showFormError(undefined);
    try {
      // Segments made here have no hand-picked members; those come from a selection of users.
      const saved = current === undefined ? await backend.createSegment(draft(), []) : await backend.updateSegment(current.id, draft());
      setSaving(false);
      closeForm();
      options.onChanged();
      await load();
      const savedRow = [...body.rows].find((tr) => tr.dataset['segmentId'] === saved.id);
      savedRow?.querySelector<HTMLElement>('.segment-edit')?.focus();
    } catch (error) {
      setSaving(false);
      showFormError(refusalText(error));
      nameInput.focus();
    }
  }

  save.addEventListener('click', () => void submit());
  cancel.addEventListener('click', () => closeForm());
  nameInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      void submit();
    }
  });
  create.addEventListener('click', () => void openForm(undefined, create));

  // ---- Deleting, once confirmed ----

  const question = el('p', { id: 'segment-delete-question', class: 'dialog-text' });
  const deleteError = el('p', { id: 'segment-delete-error', class: 'dialog-error', role: 'alert', hidden: true });
  const confirmDelete = el('button', { type: 'button', id: 'segment-delete-confirm', class: 'button-danger' }, 'Delete segment');
  const keep = el('button', { type: 'button', id: 'segment-delete-cancel', class: 'button-secondary' }, 'Cancel');
  const confirm = createModal(
    { id: 'segment-delete-dialog', labelledBy: 'segment-delete-question', role: 'alertdialog', closeOnBackdrop: true, onDismiss: () => closeConfirm() },
    question,
    deleteError,
    el('div', { class: 'dialog-actions' }, keep, confirmDelete),
  );
  let deleting: SegmentView | undefined;
  let deleteBusy = false;

  function askDelete(segment: SegmentView, trigger: HTMLElement): void {
    deleting = segment;
    setText(question, `Delete the segment “${segment.name}”? Its customers stay; only the group goes.`);
    deleteError.hidden = true;
    confirmDelete.disabled = false;
    confirm.open(trigger, keep);
  }

  function closeConfirm(): void {
    if (deleteBusy) return;
    deleting = undefined;
    confirm.close();
  }

  confirmDelete.addEventListener('click', () => {
    void (async () => {
      const segment = deleting;
      if (segment === undefined || deleteBusy) return;
      deleteBusy = true;
      confirmDelete.disabled = true;
      try {
        await backend.deleteSegment(segment.id);
        deleteBusy = false;
        closeConfirm();
        options.onChanged();
        await load();
        if (!element.contains(document.activeElement)) create.focus();
      } catch (error) {
        deleteBusy = false;
        confirmDelete.disabled = false;
        deleteError.hidden = false;
        setText(deleteError, refusalText(error));
      }
    })();
  });
  keep.addEventListener('click', () => closeConfirm());

  element.append(form.element, confirm.element);

  return {
    element,
    load,
    closeDialogs() {
      openings.drop();
      saving = false;
      deleteBusy = false;
      closeForm();
      closeConfirm();
    },
  };
}
