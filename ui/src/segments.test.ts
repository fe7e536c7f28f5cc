import { describe, expect, it } from 'vitest';

import { propertyId } from './ids';
import { FakeBackend, fakeId } from './testing/fakeBackend';
import { choose, lastFilter, mount, press, query, settle, type, visibleRows, waitFor } from './testing/harness';

function segmentRows(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>('#segments-table .segment-row')];
}

function rowNamed(root: HTMLElement, name: string): HTMLElement {
  const row = segmentRows(root).find((r) => r.querySelector('.segment-name')?.textContent === name);
  if (row === undefined) throw new Error(`no segment row ${name}`);
  return row;
}

function filterOptions(root: HTMLElement): string[] {
  return [...query<HTMLSelectElement>(root, '#segment-filter').options].map((o) => o.textContent ?? '');
}

/** 3,000 customers, the first 1,200 on the Pro plan. */
function withPlans(): FakeBackend {
  const backend = new FakeBackend({ rows: 3000 });
  const plan = backend.seedProperty({ name: 'Plan', description: '', format: 'choice', choices: ['Free', 'Pro'] });
  for (let i = 0; i < 3000; i += 1) backend.seedPropertyValue(fakeId(i), plan.id, i < 1200 ? 'Pro' : 'Free');
  return backend;
}

async function openSegments(backend: FakeBackend): Promise<HTMLElement> {
  const { root } = mount(backend);
  await waitFor(() => visibleRows(root).length > 0);
  query<HTMLButtonElement>(root, '#tab-segments').click();
  await waitFor(() => backend.callsOf('segments').length >= 2);
  await settle();
  return root;
}

async function openForm(root: HTMLElement, trigger: string): Promise<HTMLElement> {
  query<HTMLButtonElement>(root, trigger).click();
  const dialog = query(root, '#segment-dialog');
  await waitFor(() => dialog.closest('.backdrop')?.hasAttribute('hidden') === false);
  return dialog;
}

describe('the Segments tab', () => {
  it('creates a segment with a property rule and shows its member count', async () => {
    const backend = withPlans();
    const root = await openSegments(backend);
    expect(query(root, '#segments-panel').hidden).toBe(false);
    expect(query(root, '#users-panel').hidden).toBe(true);
    expect(query(root, '#segments-empty').textContent).toContain('No segments yet');

    const dialog = await openForm(root, '#segment-create');
    expect(document.activeElement).toBe(query(root, '#segment-name'));
    expect(query(root, '#segment-rules-empty').hidden).toBe(false);
    query<HTMLInputElement>(root, '#segment-name').value = 'Paying customers';
    query<HTMLTextAreaElement>(root, '#segment-description').value = 'On the Pro plan';

    const addRule = query<HTMLSelectElement>(root, '#segment-add-rule');
    expect([...addRule.options].map((o) => o.value)).toEqual(['', 'goal', 'property', 'status', 'last_seen']);
    choose(addRule, 'property');
    expect(addRule.value).toBe('');
    const rule = query(dialog, '.segment-rule[data-rule="property"]');
    expect([...query<HTMLSelectElement>(rule, '.rule-property').options].map((o) => o.textContent)).toEqual(['Plan']);
    const operators = [...query<HTMLSelectElement>(rule, '.rule-operator').options].map((o) => o.textContent);
    // Only the operators that fit a choice property.
    expect(operators).toEqual(['equals', 'not equals', 'is set', 'is not set']);
    // A choice property's value is picked from its choices; "is set" needs no value.
    const value = query<HTMLSelectElement>(rule, '.rule-value');
    expect([...value.options].map((o) => o.value)).toEqual(['Free', 'Pro']);
    choose(query<HTMLSelectElement>(rule, '.rule-operator'), 'is_set');
    expect(value.hidden).toBe(true);
    choose(query<HTMLSelectElement>(rule, '.rule-operator'), 'equals');
    expect(value.hidden).toBe(false);
    choose(value, 'Pro');

    // A rule added by mistake goes again.
    choose(addRule, 'goal');
    const goal = query(dialog, '.segment-rule[data-rule="goal"]');
    expect([...query<HTMLSelectElement>(goal, '.rule-goal').options].map((o) => o.textContent)).toEqual([
      'Booked a demo (Sales Bot)',
      'Refund requested (Support Bot)',
    ]);
    query<HTMLButtonElement>(goal, '.rule-remove').click();
    expect(dialog.querySelectorAll('.segment-rule')).toHaveLength(1);

    query<HTMLButtonElement>(root, '#segment-save').click();
    await waitFor(() => segmentRows(root).length === 1);
    const created = backend.callsOf('create_segment').map((c) => c.args);
    expect(created).toEqual([
      {
        draft: {
          name: 'Paying customers',
          description: 'On the Pro plan',
          rules: [{ rule: 'property', property_id: 'property-1', operator: 'equals', value: 'Pro' }],
        },
        members: [],
      },
    ]);
    const row = rowNamed(root, 'Paying customers');
    expect(query(row, '.segment-members').textContent).toBe('1,200');
    expect(query(row, '.cell-description').textContent).toBe('On the Pro plan');
    expect(query(row, '.segment-pending').textContent).toBe('Not synced yet');
    expect(dialog.closest('.backdrop')?.hasAttribute('hidden')).toBe(true);

    // The Segment filter offers it at once.
    await waitFor(() => filterOptions(root).includes('Paying customers'));
    expect(filterOptions(root)).toEqual(['All segments', 'Paying customers']);
  });

  it('opens a segment: All users, filtered to it, with its count', async () => {
    const backend = withPlans();
    const paying = backend.seedSegment({
      name: 'Paying customers',
      description: '',
      rules: [{ rule: 'property', property_id: propertyId('property-1'), operator: 'equals', value: 'Pro' }],
    });
    backend.seedSegment({ name: 'Archived', description: '', rules: [{ rule: 'status', status: 'archived' }] });
    const root = await openSegments(backend);
    expect(segmentRows(root).map((r) => query(r, '.segment-members').textContent)).toEqual(['300', '1,200']);

    query<HTMLButtonElement>(rowNamed(root, 'Paying customers'), '.segment-open').click();
    expect(query(root, '#tab-all-users').getAttribute('aria-selected')).toBe('true');
    expect(query(root, '#users-panel').hidden).toBe(false);
    expect(query(root, '#segments-panel').hidden).toBe(true);
    expect(query<HTMLSelectElement>(root, '#segment-filter').value).toBe(paying.id);
    await waitFor(() => query(root, '#count').textContent === '1,200 users');
    expect(lastFilter(backend)?.segment).toBe(paying.id);
    expect(backend.callsOf('count_profiles').at(-1)?.args['filter']).toMatchObject({ segment: paying.id });
    await waitFor(() => visibleRows(root)[0]?.getAttribute('data-id') === fakeId(0));

    // The name opens it too.
    query<HTMLButtonElement>(root, '#tab-segments').click();
    await waitFor(() => segmentRows(root).length === 2);
    query<HTMLButtonElement>(rowNamed(root, 'Archived'), '.segment-name').click();
    await waitFor(() => lastFilter(backend)?.segment !== paying.id);
    expect(query<HTMLSelectElement>(root, '#segment-filter').selectedOptions[0]?.textContent).toBe('Archived');
  });

  it('opens a segment with every member: the search, the other filters and the status cleared', async () => {
    const backend = new FakeBackend({ rows: 50, archived: 5 });
    // Two active customers and an archived one, picked by hand.
    const picked = backend.seedSegment({ name: 'Hand-picked', description: '', rules: [] }, [fakeId(0), fakeId(1), fakeId(47)]);
    const { root } = mount(backend);
    await waitFor(() => visibleRows(root).length > 0);
    type(query<HTMLInputElement>(root, '#search'), 'nobody by this name');
    choose(query<HTMLSelectElement>(root, '#platform-filter'), 'telegram');
    await waitFor(() => lastFilter(backend)?.search === 'nobody by this name' && lastFilter(backend)?.platform === 'telegram');

    query<HTMLButtonElement>(root, '#tab-segments').click();
    await waitFor(() => segmentRows(root).length === 1);
    query<HTMLButtonElement>(rowNamed(root, 'Hand-picked'), '.segment-open').click();
    await waitFor(() => query(root, '#count').textContent === '3 users');
    expect(lastFilter(backend)).toEqual({ lastSeen: 'any', search: '', segment: picked.id });
    expect(query<HTMLInputElement>(root, '#search').value).toBe('');
    const status = query<HTMLSelectElement>(root, '#status-filter');
    expect(status.selectedOptions[0]?.textContent).toBe('All');
    expect(query<HTMLSelectElement>(root, '#platform-filter').value).toBe('');
    expect([...status.options].map((o) => o.textContent)).toEqual(['Active', 'Archived', 'All']);

    // Active again narrows the members to the active ones.
    choose(status, 'active');
    await waitFor(() => query(root, '#count').textContent === '2 users');
  });

  it('renames a segment and changes its rules; the Segment filter follows', async () => {
    const backend = new FakeBackend({ rows: 50, archived: 5 });
    const segment = backend.seedSegment({ name: 'Gone quiet', description: '', rules: [{ rule: 'status', status: 'archived' }] });
    const root = await openSegments(backend);
    await waitFor(() => filterOptions(root).includes('Gone quiet'));
    const dialog = await openForm(root, `.segment-row[data-segment-id="${segment.id}"] .segment-edit`);
    expect(query<HTMLInputElement>(root, '#segment-name').value).toBe('Gone quiet');
    expect(query<HTMLSelectElement>(dialog, '.segment-rule[data-rule="status"] .rule-status').value).toBe('archived');
    query<HTMLInputElement>(root, '#segment-name').value = 'Archived customers';
    choose(query<HTMLSelectElement>(root, '#segment-add-rule'), 'last_seen');
    choose(query<HTMLSelectElement>(dialog, '.rule-last-seen'), 'last30Days');
    query<HTMLButtonElement>(root, '#segment-save').click();
    await waitFor(() => segmentRows(root)[0]?.querySelector('.segment-name')?.textContent === 'Archived customers');
    expect(backend.callsOf('update_segment').map((c) => c.args)).toEqual([
      {
        id: segment.id,
        draft: {
          name: 'Archived customers',
          description: '',
          rules: [
            { rule: 'status', status: 'archived' },
            { rule: 'last_seen', window: 'last30Days' },
          ],
        },
      },
    ]);
    await waitFor(() => filterOptions(root).includes('Archived customers'));
    expect(filterOptions(root)).toEqual(['All segments', 'Archived customers']);
  });

  it('offers the operators and the value control that fit the property picked', async () => {
    const backend = new FakeBackend({ rows: 10 });
    const company = backend.seedProperty({ name: 'Company', description: '', format: 'text', choices: [] });
    const age = backend.seedProperty({ name: 'Age', description: '', format: 'number', choices: [] });
    const root = await openSegments(backend);
    const dialog = await openForm(root, '#segment-create');
    choose(query<HTMLSelectElement>(root, '#segment-add-rule'), 'property');
    const rule = query(dialog, '.segment-rule[data-rule="property"]');
    const property = query<HTMLSelectElement>(rule, '.rule-property');
    const operators = (): string[] => [...query<HTMLSelectElement>(rule, '.rule-operator').options].map((o) => o.value);
    expect(property.value).toBe(age.id);
    expect(operators()).toEqual(['equals', 'not_equals', 'greater_than', 'less_than', 'is_set', 'is_not_set']);
    choose(query<HTMLSelectElement>(rule, '.rule-operator'), 'greater_than');
    query<HTMLInputElement>(rule, '.rule-value').value = '30';

    choose(property, company.id);
    expect(operators()).toEqual(['equals', 'not_equals', 'contains', 'is_set', 'is_not_set']);
    // Greater than does not fit text: the rule falls back to equals, its value emptied.
    expect(query<HTMLSelectElement>(rule, '.rule-operator').value).toBe('equals');
    expect(query<HTMLInputElement>(rule, '.rule-value').value).toBe('');
    choose(query<HTMLSelectElement>(rule, '.rule-operator'), 'contains');
    query<HTMLInputElement>(rule, '.rule-value').value = 'Acme';
    query<HTMLInputElement>(root, '#segment-name').value = 'Acme staff';
    query<HTMLButtonElement>(root, '#segment-save').click();
    await waitFor(() => segmentRows(root).length === 1);
    expect(backend.callsOf('create_segment')[0]?.args['draft']).toEqual({
      name: 'Acme staff',
      description: '',
      rules: [{ rule: 'property', property_id: company.id, operator: 'contains', value: 'Acme' }],
    });
  });

  it('keeps a refused segment open with the core’s reason', async () => {
    const backend = new FakeBackend({ rows: 10 });
    const root = await openSegments(backend);
    await openForm(root, '#segment-create');
    query<HTMLButtonElement>(root, '#segment-save').click();
    const error = query(root, '#segment-error');
    await waitFor(() => !error.hidden);
    expect(error.textContent).toBe("The segment's name must not be empty");
    expect(error.getAttribute('role')).toBe('alert');
    expect(query(root, '#segment-dialog').closest('.backdrop')?.hasAttribute('hidden')).toBe(false);
    expect(backend.callsOf('create_segment')).toHaveLength(1);
    expect(segmentRows(root)).toHaveLength(0);
  });

  it('deletes a segment once confirmed; a Segment filter showing it falls back to all segments', async () => {
    const backend = new FakeBackend({ rows: 50 });
    const segment = backend.seedSegment({ name: 'VIP', description: 'Answer within the hour', rules: [] }, [fakeId(1), fakeId(2)]);
    const { root } = mount(backend);
    await waitFor(() => filterOptions(root).includes('VIP'));
    choose(query<HTMLSelectElement>(root, '#segment-filter'), segment.id);
    await waitFor(() => query(root, '#count').textContent === '2 users');

    query<HTMLButtonElement>(root, '#tab-segments').click();
    await waitFor(() => segmentRows(root).length === 1);
    expect(query(segmentRows(root)[0] ?? root, '.segment-members').textContent).toBe('2');
    query<HTMLButtonElement>(root, '.segment-row .segment-delete').click();
    const confirm = query(root, '#segment-delete-dialog');
    expect(confirm.textContent).toContain('Delete the segment “VIP”?');
    press(query(root, '#segment-delete-cancel'), 'Escape');
    expect(confirm.closest('.backdrop')?.hasAttribute('hidden')).toBe(true);
    query<HTMLButtonElement>(root, '.segment-row .segment-delete').click();
    query<HTMLButtonElement>(root, '#segment-delete-confirm').click();
    await waitFor(() => segmentRows(root).length === 0);
    expect(backend.callsOf('delete_segment').map((c) => c.args)).toEqual([{ id: segment.id }]);

    await waitFor(() => query<HTMLSelectElement>(root, '#segment-filter').value === '');
    expect(filterOptions(root)).toEqual(['All segments']);
    query<HTMLButtonElement>(root, '#tab-all-users').click();
    await waitFor(() => query(root, '#count').textContent === '45 users');
    expect(lastFilter(backend)?.segment).toBeUndefined();
  });

  it('searches segments by name', async () => {
    const backend = new FakeBackend({ rows: 10 });
    backend.seedSegment({ name: 'VIP', description: '', rules: [] });
    backend.seedSegment({ name: 'Trial users', description: '', rules: [] });
    const root = await openSegments(backend);
    expect(segmentRows(root)).toHaveLength(2);
    type(query<HTMLInputElement>(root, '#segments-search'), 'tri');
    await waitFor(() => segmentRows(root).length === 1);
    expect(backend.callsOf('segments').at(-1)?.args).toEqual({ search: 'tri' });
    type(query<HTMLInputElement>(root, '#segments-search'), 'zzz');
    await waitFor(() => !query(root, '#segments-empty').hidden);
    expect(query(root, '#segments-empty').textContent).toBe('No segment matches this search.');
  });
});

describe('the Segment filter', () => {
  it('lists every segment by name and filters the table to the one picked', async () => {
    const backend = new FakeBackend({ rows: 50 });
    const vip = backend.seedSegment({ name: 'VIP', description: '', rules: [] }, [fakeId(3), fakeId(4), fakeId(5)]);
    backend.seedSegment({ name: 'Archived', description: '', rules: [{ rule: 'status', status: 'archived' }] });
    const { root } = mount(backend);
    await waitFor(() => query(root, '#count').textContent === '45 users');
    await waitFor(() => filterOptions(root).length === 3);
    expect(filterOptions(root)).toEqual(['All segments', 'Archived', 'VIP']);
    const select = query<HTMLSelectElement>(root, '#segment-filter');
    expect(select.value).toBe('');
    expect(lastFilter(backend)?.segment).toBeUndefined();

    choose(select, vip.id);
    await waitFor(() => query(root, '#count').textContent === '3 users');
    expect(lastFilter(backend)).toEqual({ status: 'active', lastSeen: 'any', search: '', segment: vip.id });
    await waitFor(() => visibleRows(root).length === 3);
    expect(visibleRows(root).map((r) => r.getAttribute('data-id'))).toEqual([fakeId(3), fakeId(4), fakeId(5)]);

    choose(select, '');
    await waitFor(() => query(root, '#count').textContent === '45 users');
  });
});

describe('the Details Segments section', () => {
  const ID = fakeId(1);

  async function openDetails(backend: FakeBackend): Promise<{ root: HTMLElement; panel: HTMLElement }> {
    const { root } = mount(backend);
    const row = await waitFor(() => root.querySelector<HTMLElement>(`.row[data-id="${ID}"]`));
    query<HTMLButtonElement>(row, 'button.username').click();
    const panel = query(root, 'section#details');
    await waitFor(() => backend.callsOf('profile_segments').length === 1);
    await settle();
    return { root, panel };
  }

  it('is hidden while the customer belongs to no segment', async () => {
    const backend = new FakeBackend({ rows: 20 });
    backend.seedSegment({ name: 'VIP', description: '', rules: [] }, [fakeId(2)]);
    const { panel } = await openDetails(backend);
    expect(backend.callsOf('profile_segments').map((c) => c.args)).toEqual([{ profileId: ID }]);
    expect(query(panel, '#details-segments').hidden).toBe(true);
  });

  it('lists the customer’s segments; clicking one shows All users filtered to it', async () => {
    const backend = new FakeBackend({ rows: 20 });
    const vip = backend.seedSegment({ name: 'VIP', description: '', rules: [] }, [ID, fakeId(2)]);
    backend.seedSegment({ name: 'Everyone active', description: '', rules: [{ rule: 'status', status: 'active' }] });
    const { root, panel } = await openDetails(backend);
    const section = query(panel, '#details-segments');
    expect(section.hidden).toBe(false);
    const buttons = [...section.querySelectorAll<HTMLButtonElement>('button.details-segment')];
    expect(buttons.map((b) => b.textContent)).toEqual(['Everyone active', 'VIP']);

    buttons[1]?.click();
    expect(panel.hidden).toBe(true);
    const select = query<HTMLSelectElement>(root, '#segment-filter');
    expect(select.value).toBe(vip.id);
    expect(select.selectedOptions[0]?.textContent).toBe('VIP');
    await waitFor(() => query(root, '#count').textContent === '2 users');
    expect(lastFilter(backend)?.segment).toBe(vip.id);
  });
});
