import { describe, expect, it } from 'vitest';

import { FakeBackend } from './testing/fakeBackend';
import { choose, mount, press, query, settle, type, waitFor } from './testing/harness';

function names(root: HTMLElement): string[] {
  return [...root.querySelectorAll('#properties-table .property-row .property-name')].map((n) => n.textContent ?? '');
}

async function openProperties(backend: FakeBackend): Promise<HTMLElement> {
  const { root } = mount(backend);
  query<HTMLButtonElement>(root, '#tab-properties').click();
  await waitFor(() => backend.callsOf('properties').length === 1);
  await settle();
  return root;
}

function seeded(): FakeBackend {
  const backend = new FakeBackend({ rows: 20 });
  backend.seedProperty({ name: 'Plan', description: 'What the customer pays for', format: 'choice', choices: ['Free', 'Pro'] });
  backend.seedProperty({ name: 'age', description: '', format: 'number', choices: [] });
  backend.seedProperty({ name: 'Birthday', description: 'As the customer gave it', format: 'date', choices: [] });
  return backend;
}

describe('the Properties tab', () => {
  it('shows its panel instead of the users table, without the users filters', async () => {
    const backend = seeded();
    const root = await openProperties(backend);
    const tab = query(root, '#tab-properties');
    expect(tab.getAttribute('role')).toBe('tab');
    expect(tab.getAttribute('aria-selected')).toBe('true');
    expect(query(root, '#tab-all-users').getAttribute('aria-selected')).toBe('false');
    const panel = query(root, '#properties-panel');
    expect(panel.getAttribute('role')).toBe('tabpanel');
    expect(panel.hidden).toBe(false);
    expect(query(root, '#users-panel').hidden).toBe(true);
    expect(query(root, '#search').closest('.toolbar')?.hasAttribute('hidden')).toBe(true);

    expect(names(root)).toEqual(['age', 'Birthday', 'Plan']);
    const plan = query(root, '.property-row:last-child');
    expect(query(plan, '.cell-format').textContent).toBe('Choice (2)');
    expect(query(plan, '.cell-description').textContent).toBe('What the customer pays for');
    expect(backend.callsOf('properties')[0]?.args).toEqual({ search: '', sort: 'name', direction: 'asc' });

    query<HTMLButtonElement>(root, '#tab-all-users').click();
    expect(query(root, '#users-panel').hidden).toBe(false);
    expect(panel.hidden).toBe(true);
    expect(query(root, '#search').closest('.toolbar')?.hasAttribute('hidden')).toBe(false);
  });

  it('moves between the tabs with the arrow keys', async () => {
    const { root } = mount({ rows: 5 });
    const all = query(root, '#tab-all-users');
    all.focus();
    press(all, 'ArrowRight');
    expect(document.activeElement).toBe(query(root, '#tab-segments'));
    expect(query(root, '#segments-panel').hidden).toBe(false);
    press(document.activeElement ?? all, 'ArrowRight');
    expect(query(root, '#properties-panel').hidden).toBe(false);
    press(document.activeElement ?? all, 'ArrowRight');
    expect(document.activeElement).toBe(all);
    expect(all.getAttribute('tabindex')).toBe('0');
    expect(query(root, '#tab-properties').getAttribute('tabindex')).toBe('-1');
    press(all, 'End');
    expect(query(root, '#tab-properties').getAttribute('aria-selected')).toBe('true');
  });

  it('searches and sorts by name or format, either way', async () => {
    const backend = seeded();
    const root = await openProperties(backend);
    const search = query<HTMLInputElement>(root, '#properties-search');
    type(search, 'pla');
    await waitFor(() => names(root).length === 1);
    expect(names(root)).toEqual(['Plan']);
    expect(backend.callsOf('properties').at(-1)?.args).toEqual({ search: 'pla', sort: 'name', direction: 'asc' });
    type(search, 'nothing like it');
    await waitFor(() => !query(root, '#properties-empty').hidden);
    expect(query(root, '#properties-empty').textContent).toBe('No property matches this search.');
    type(search, '');
    await waitFor(() => names(root).length === 3);

    const nameHeader = query(root, '#properties-table th.cell-name');
    const formatHeader = query(root, '#properties-table th.cell-format');
    expect(nameHeader.getAttribute('aria-sort')).toBe('ascending');
    query<HTMLButtonElement>(nameHeader, 'button.sort').click();
    await waitFor(() => names(root)[0] === 'Plan');
    expect(names(root)).toEqual(['Plan', 'Birthday', 'age']);
    expect(nameHeader.getAttribute('aria-sort')).toBe('descending');

    query<HTMLButtonElement>(formatHeader, 'button.sort').click();
    await waitFor(() => names(root)[0] === 'Plan');
    expect(backend.callsOf('properties').at(-1)?.args).toEqual({ search: '', sort: 'format', direction: 'asc' });
    expect(names(root)).toEqual(['Plan', 'Birthday', 'age']);
    expect(formatHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(nameHeader.getAttribute('aria-sort')).toBe('none');
    query<HTMLButtonElement>(formatHeader, 'button.sort').click();
    await waitFor(() => names(root)[0] === 'age');
    expect(names(root)).toEqual(['age', 'Birthday', 'Plan']);
  });

  it('creates a choice property, its choices shown only for that format', async () => {
    const backend = new FakeBackend({ rows: 5 });
    const root = await openProperties(backend);
    expect(query(root, '#properties-empty').textContent).toContain('No properties yet');
    query<HTMLButtonElement>(root, '#property-create').click();
    const dialog = query(root, '#property-dialog');
    expect(dialog.closest('.backdrop')?.hasAttribute('hidden')).toBe(false);
    expect(document.activeElement).toBe(query(root, '#property-name'));
    const choicesField = query(root, '#property-choices').closest('label');
    expect(choicesField?.hidden).toBe(true);
    const formats = [...query<HTMLSelectElement>(root, '#property-format').options].map((o) => o.value);
    expect(formats).toEqual(['text', 'number', 'date', 'boolean', 'choice']);

    query<HTMLInputElement>(root, '#property-name').value = 'Plan';
    query<HTMLTextAreaElement>(root, '#property-description').value = 'What the customer pays for';
    choose(query<HTMLSelectElement>(root, '#property-format'), 'choice');
    expect(choicesField?.hidden).toBe(false);
    query<HTMLTextAreaElement>(root, '#property-choices').value = 'Free\n\n Pro \nEnterprise';
    query<HTMLButtonElement>(root, '#property-save').click();
    await waitFor(() => names(root).length === 1);
    expect(backend.callsOf('create_property').map((c) => c.args)).toEqual([
      { draft: { name: 'Plan', description: 'What the customer pays for', format: 'choice', choices: ['Free', 'Pro', 'Enterprise'] } },
    ]);
    expect(dialog.closest('.backdrop')?.hasAttribute('hidden')).toBe(true);
    const row = query(root, '.property-row');
    expect(query(row, '.cell-format').textContent).toBe('Choice (3)');
    expect(query(row, '.pending-mark').textContent).toBe('Not synced yet');
  });

  it('keeps a refused definition open with the core’s reason', async () => {
    const backend = new FakeBackend({ rows: 5 });
    const root = await openProperties(backend);
    query<HTMLButtonElement>(root, '#property-create').click();
    query<HTMLInputElement>(root, '#property-name').value = '   ';
    query<HTMLButtonElement>(root, '#property-save').click();
    const error = query(root, '#property-error');
    await waitFor(() => !error.hidden);
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toBe("The property's name must not be empty");

    query<HTMLInputElement>(root, '#property-name').value = 'Plan';
    choose(query<HTMLSelectElement>(root, '#property-format'), 'choice');
    query<HTMLButtonElement>(root, '#property-save').click();
    await waitFor(() => error.textContent === 'A choice property needs at least one choice');
    expect(query(root, '#property-dialog').closest('.backdrop')?.hasAttribute('hidden')).toBe(false);
    expect(query<HTMLInputElement>(root, '#property-name').value).toBe('Plan');
    expect(backend.propertiesById.size).toBe(0);

    // Cancel (or Escape) closes the form without saving.
    press(query(root, '#property-name'), 'Escape');
    expect(query(root, '#property-dialog').closest('.backdrop')?.hasAttribute('hidden')).toBe(true);
    expect(query(root, '#properties-panel').hidden).toBe(false);
  });

  it('renames and describes a property, its format fixed', async () => {
    const backend = seeded();
    const root = await openProperties(backend);
    const plan = [...root.querySelectorAll<HTMLElement>('.property-row')].find((r) => r.textContent?.includes('Plan'));
    if (plan === undefined) throw new Error('no Plan row');
    const id = plan.dataset['propertyId'];
    query<HTMLButtonElement>(plan, '.property-edit').click();
    const name = query<HTMLInputElement>(root, '#property-name');
    expect(name.value).toBe('Plan');
    expect(query<HTMLSelectElement>(root, '#property-format').value).toBe('choice');
    expect(query<HTMLSelectElement>(root, '#property-format').disabled).toBe(true);
    expect(query<HTMLTextAreaElement>(root, '#property-choices').value).toBe('Free\nPro');
    name.value = 'Subscription';
    query<HTMLTextAreaElement>(root, '#property-description').value = 'Billing plan';
    query<HTMLTextAreaElement>(root, '#property-choices').value = 'Free\nPro\nTeam';
    query<HTMLButtonElement>(root, '#property-save').click();
    await waitFor(() => names(root).includes('Subscription'));
    expect(backend.callsOf('update_property').map((c) => c.args)).toEqual([
      { id, draft: { name: 'Subscription', description: 'Billing plan', format: 'choice', choices: ['Free', 'Pro', 'Team'] } },
    ]);
    expect(names(root)).toEqual(['age', 'Birthday', 'Subscription']);
  });

  it('deletes a property only once confirmed, naming it', async () => {
    const backend = seeded();
    const root = await openProperties(backend);
    const age = query(root, '.property-row');
    query<HTMLButtonElement>(age, '.property-delete').click();
    const confirm = query(root, '#property-delete-dialog');
    expect(confirm.closest('.backdrop')?.hasAttribute('hidden')).toBe(false);
    expect(confirm.textContent).toContain('Delete the property “age”?');
    query<HTMLButtonElement>(root, '#property-delete-cancel').click();
    expect(confirm.closest('.backdrop')?.hasAttribute('hidden')).toBe(true);
    await settle();
    expect(backend.callsOf('delete_property')).toHaveLength(0);

    query<HTMLButtonElement>(age, '.property-delete').click();
    query<HTMLButtonElement>(root, '#property-delete-confirm').click();
    await waitFor(() => names(root).length === 2);
    expect(names(root)).toEqual(['Birthday', 'Plan']);
    expect(backend.callsOf('delete_property').map((c) => c.args)).toEqual([{ id: age.dataset['propertyId'] }]);
  });
});
