import { describe, expect, it } from 'vitest';

import type { PropertyId } from './bindings/PropertyId';
import { FakeBackend, fakeId } from './testing/fakeBackend';
import { choose, mount, press, query, settle, waitFor } from './testing/harness';

/** Index 1's profile: Ada Tester 0000001. */
const ID = fakeId(1);

interface Opened {
  readonly root: HTMLElement;
  readonly panel: HTMLElement;
  readonly backend: FakeBackend;
  readonly plan: PropertyId;
  readonly age: PropertyId;
}

/** A workspace with the properties Plan (choice) and Age (number), the customer aged 42. */
async function openDetails(): Promise<Opened> {
  const backend = new FakeBackend({ rows: 20 });
  const plan = backend.seedProperty({ name: 'Plan', description: '', format: 'choice', choices: ['Free', 'Pro'] }).id;
  const age = backend.seedProperty({ name: 'Age', description: '', format: 'number', choices: [] }).id;
  backend.seedPropertyValue(ID, age, '42');
  const { root } = mount(backend);
  const row = await waitFor(() => root.querySelector<HTMLElement>(`.row[data-id="${ID}"]`));
  query<HTMLButtonElement>(row, 'button.username').click();
  const panel = query(root, 'section#details');
  await waitFor(() => panel.querySelectorAll('.profile-property').length === 1);
  return { root, panel, backend, plan, age };
}

function propertyRow(panel: HTMLElement, id: string): HTMLElement {
  return query(panel, `.profile-property[data-property-id="${id}"]`);
}

function shown(panel: HTMLElement): [string, string][] {
  return [...panel.querySelectorAll('.profile-property')].map((row) => [
    row.querySelector('.label')?.textContent ?? '',
    row.querySelector('.value')?.textContent ?? '',
  ]);
}

async function openAdder(panel: HTMLElement, backend: FakeBackend): Promise<HTMLSelectElement> {
  const before = backend.callsOf('properties').length;
  query<HTMLButtonElement>(panel, '#add-property').click();
  await waitFor(() => backend.callsOf('properties').length > before);
  await settle();
  return query<HTMLSelectElement>(panel, '#select-property');
}

describe('the properties in Details', () => {
  it('lists the customer’s properties under the user details', async () => {
    const { panel, age } = await openDetails();
    expect(shown(panel)).toEqual([['Age', '42']]);
    const row = propertyRow(panel, age);
    expect(query(row, 'button.edit').getAttribute('aria-label')).toBe('Edit Age');
    expect(query(row, 'button.property-remove').getAttribute('aria-label')).toBe('Remove Age');
    const add = query(panel, '#add-property');
    expect(add.getAttribute('aria-label')).toBe('Add a property');
    expect(add.closest('.section-heading')?.textContent).toBe('User Details');
    expect(query(panel, '#add-property-form').hidden).toBe(true);
  });

  it('adds an existing property with a value control fitting its format', async () => {
    const { panel, backend, plan } = await openDetails();
    const select = await openAdder(panel, backend);
    expect(query(panel, '#add-property-form').hidden).toBe(false);
    expect(query(panel, '#add-property').getAttribute('aria-expanded')).toBe('true');
    expect(document.activeElement).toBe(select);
    // Age has a value already: only Plan is offered, then "Create a new property".
    expect([...select.options].map((o) => [o.value, o.textContent])).toEqual([
      ['', 'Select a property'],
      [plan, 'Plan'],
      ['__new__', 'Create a new property'],
    ]);

    choose(select, plan);
    const value = query<HTMLSelectElement>(panel, '#property-value');
    expect(value.tagName).toBe('SELECT');
    expect([...value.options].map((o) => o.value)).toEqual(['Free', 'Pro']);
    choose(value, 'Pro');
    query<HTMLButtonElement>(panel, '#property-value-save').click();
    await waitFor(() => panel.querySelectorAll('.profile-property').length === 2);
    expect(backend.callsOf('set_profile_property').map((c) => c.args)).toEqual([{ profileId: ID, propertyId: plan, value: 'Pro' }]);
    expect(shown(panel)).toEqual([
      ['Age', '42'],
      ['Plan', 'Pro'],
    ]);
    expect(query(propertyRow(panel, plan), '.pending-mark').textContent).toBe('Not synced yet');
    expect(query(panel, '#add-property-form').hidden).toBe(true);
    expect(document.activeElement).toBe(query(propertyRow(panel, plan), 'button.edit'));
  });

  it('refuses an invalid number with the core’s message, keeps it typed, and saves nothing', async () => {
    const backend = new FakeBackend({ rows: 20 });
    const score = backend.seedProperty({ name: 'Score', description: '', format: 'number', choices: [] }).id;
    const { root } = mount(backend);
    const row = await waitFor(() => root.querySelector<HTMLElement>(`.row[data-id="${ID}"]`));
    query<HTMLButtonElement>(row, 'button.username').click();
    const panel = query(root, 'section#details');
    await waitFor(() => backend.callsOf('profile_properties').length === 1);
    const select = await openAdder(panel, backend);
    choose(select, score);
    const value = query<HTMLInputElement>(panel, '#property-value');
    expect(value.tagName).toBe('INPUT');
    value.value = 'four and a half';
    press(value, 'Enter');
    const error = query(panel, '#add-property-error');
    await waitFor(() => !error.hidden);
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toBe('Score: "four and a half" is not a number');
    expect(query<HTMLInputElement>(panel, '#property-value').value).toBe('four and a half');
    expect(value.getAttribute('aria-invalid')).toBe('true');
    expect(query(panel, '#add-property-form').hidden).toBe(false);
    expect(backend.propertyValues.get(ID)?.get(score)).toBeUndefined();
    expect(panel.querySelectorAll('.profile-property')).toHaveLength(0);
    expect(query(root, '#error-banner').hidden).toBe(true);

    value.value = '4.5';
    query<HTMLButtonElement>(panel, '#property-value-save').click();
    await waitFor(() => panel.querySelectorAll('.profile-property').length === 1);
    expect(shown(panel)).toEqual([['Score', '4.5']]);
  });

  it('creates a new property on the spot, then sets its value', async () => {
    const { panel, backend } = await openDetails();
    const select = await openAdder(panel, backend);
    choose(select, '__new__');
    const name = query<HTMLInputElement>(panel, '#new-property-name');
    expect(name.closest('.new-property')?.hasAttribute('hidden')).toBe(false);
    expect(document.activeElement).toBe(name);
    name.value = 'Renewal';
    query<HTMLInputElement>(panel, '#new-property-description').value = 'When the plan renews';
    const format = query<HTMLSelectElement>(panel, '#new-property-format');
    expect([...format.options].map((o) => o.value)).toEqual(['text', 'number', 'date', 'boolean', 'choice']);
    choose(format, 'date');
    const value = query<HTMLInputElement>(panel, '#property-value');
    expect(value.type).toBe('date');
    value.value = '2025-07-01';
    query<HTMLButtonElement>(panel, '#property-value-save').click();
    await waitFor(() => panel.querySelectorAll('.profile-property').length === 2);
    expect(backend.callsOf('create_property').map((c) => c.args)).toEqual([
      { draft: { name: 'Renewal', description: 'When the plan renews', format: 'date', choices: [] } },
    ]);
    const created = [...backend.propertiesById.values()].find((p) => p.name === 'Renewal');
    expect(backend.callsOf('set_profile_property').map((c) => c.args)).toEqual([{ profileId: ID, propertyId: created?.id, value: '2025-07-01' }]);
    expect(shown(panel)).toEqual([
      ['Age', '42'],
      ['Renewal', '2025-07-01'],
    ]);
  });

  it('creates a choice or a boolean property on the spot, shown as its choice or Yes / No', async () => {
    const { panel, backend } = await openDetails();
    let select = await openAdder(panel, backend);
    choose(select, '__new__');
    query<HTMLInputElement>(panel, '#new-property-name').value = 'Tier';
    choose(query<HTMLSelectElement>(panel, '#new-property-format'), 'choice');
    const choices = query<HTMLTextAreaElement>(panel, '#new-property-choices');
    expect(choices.closest('label')?.hidden).toBe(false);
    choices.value = 'Gold\nSilver';
    choices.dispatchEvent(new Event('input'));
    const tier = query<HTMLSelectElement>(panel, '#property-value');
    expect([...tier.options].map((o) => o.value)).toEqual(['Gold', 'Silver']);
    choose(tier, 'Silver');
    query<HTMLButtonElement>(panel, '#property-value-save').click();
    await waitFor(() => panel.querySelectorAll('.profile-property').length === 2);
    expect(backend.callsOf('create_property').at(-1)?.args).toEqual({ draft: { name: 'Tier', description: '', format: 'choice', choices: ['Gold', 'Silver'] } });

    select = await openAdder(panel, backend);
    choose(select, '__new__');
    query<HTMLInputElement>(panel, '#new-property-name').value = 'Newsletter';
    choose(query<HTMLSelectElement>(panel, '#new-property-format'), 'boolean');
    const yesNo = query<HTMLSelectElement>(panel, '#property-value');
    expect([...yesNo.options].map((o) => [o.value, o.textContent])).toEqual([
      ['true', 'Yes'],
      ['false', 'No'],
    ]);
    choose(yesNo, 'false');
    query<HTMLButtonElement>(panel, '#property-value-save').click();
    await waitFor(() => panel.querySelectorAll('.profile-property').length === 3);
    expect(shown(panel)).toEqual([
      ['Age', '42'],
      ['Newsletter', 'No'],
      ['Tier', 'Silver'],
    ]);
  });

  it('keeps a refused new property open with the reason, creating nothing', async () => {
    const { panel, backend } = await openDetails();
    const select = await openAdder(panel, backend);
    choose(select, '__new__');
    choose(query<HTMLSelectElement>(panel, '#new-property-format'), 'choice');
    query<HTMLInputElement>(panel, '#new-property-name').value = 'Tier';
    query<HTMLButtonElement>(panel, '#property-value-save').click();
    const error = query(panel, '#add-property-error');
    await waitFor(() => !error.hidden);
    expect(error.textContent).toBe('A choice property needs at least one choice');
    expect(backend.callsOf('create_property')).toHaveLength(1);

    const value = query<HTMLSelectElement>(panel, '#property-value');
    expect(value.options).toHaveLength(0);
    choose(query<HTMLSelectElement>(panel, '#new-property-format'), 'text');
    query<HTMLInputElement>(panel, '#new-property-name').value = ' ';
    query<HTMLInputElement>(panel, '#property-value').value = 'Gold';
    query<HTMLButtonElement>(panel, '#property-value-save').click();
    await waitFor(() => error.textContent === "The property's name must not be empty");
    expect(backend.propertiesById.size).toBe(2);
    expect(query<HTMLInputElement>(panel, '#property-value').value).toBe('Gold');
    expect(query(panel, '#new-property-name').closest('.new-property')?.hasAttribute('hidden')).toBe(false);
  });

  it('keeps a property created on the spot when its value is refused, and saves the value corrected', async () => {
    const { panel, backend } = await openDetails();
    const select = await openAdder(panel, backend);
    choose(select, '__new__');
    query<HTMLInputElement>(panel, '#new-property-name').value = 'Score';
    choose(query<HTMLSelectElement>(panel, '#new-property-format'), 'number');
    query<HTMLInputElement>(panel, '#property-value').value = 'high';
    query<HTMLButtonElement>(panel, '#property-value-save').click();
    const error = query(panel, '#add-property-error');
    await waitFor(() => error.textContent === 'Score: "high" is not a number');
    const created = [...backend.propertiesById.values()].find((p) => p.name === 'Score');
    expect(created).toBeDefined();
    // The form is now about that property: Save does not create it twice.
    expect(select.value).toBe(created?.id);
    expect(query(panel, '#new-property-name').closest('.new-property')?.hasAttribute('hidden')).toBe(true);
    expect(query<HTMLInputElement>(panel, '#property-value').value).toBe('high');
    query<HTMLInputElement>(panel, '#property-value').value = '99';
    query<HTMLButtonElement>(panel, '#property-value-save').click();
    await waitFor(() => panel.querySelectorAll('.profile-property').length === 2);
    expect(backend.callsOf('create_property')).toHaveLength(1);
    expect(shown(panel)).toEqual([
      ['Age', '42'],
      ['Score', '99'],
    ]);
  });

  it('cancels the add form with Escape, leaving the panel open', async () => {
    const { panel, backend } = await openDetails();
    const select = await openAdder(panel, backend);
    press(select, 'Escape');
    expect(query(panel, '#add-property-form').hidden).toBe(true);
    expect(panel.hidden).toBe(false);
    expect(document.activeElement).toBe(query(panel, '#add-property'));
  });

  it('edits a value in place: a refused one stays typed beside the reason, Escape cancels', async () => {
    const { panel, backend, age } = await openDetails();
    const row = propertyRow(panel, age);
    query<HTMLButtonElement>(row, 'button.edit').click();
    const input = query<HTMLInputElement>(row, `input[name="property-${age}"]`);
    expect(input.value).toBe('42');
    expect(document.activeElement).toBe(input);
    input.value = 'old';
    query<HTMLButtonElement>(row, 'button.save').click();
    const error = await waitFor(() => row.querySelector<HTMLElement>(`.field-error[data-property-id="${age}"]`));
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toBe('Age: "old" is not a number');
    expect(query<HTMLInputElement>(row, 'input').value).toBe('old');
    expect(backend.propertyValues.get(ID)?.get(age)?.value).toBe('42');

    press(input, 'Escape');
    expect(row.querySelector('input')).toBeNull();
    expect(row.querySelector('.field-error')).toBeNull();
    expect(query(row, '.value').textContent).toBe('42');
    expect(panel.hidden).toBe(false);

    query<HTMLButtonElement>(row, 'button.edit').click();
    const again = query<HTMLInputElement>(row, 'input');
    again.value = ' 43 ';
    press(again, 'Enter');
    await waitFor(() => query(propertyRow(panel, age), '.value').textContent === '43');
    expect(backend.callsOf('set_profile_property').at(-1)?.args).toEqual({ profileId: ID, propertyId: age, value: ' 43 ' });
  });

  it('removes a value once confirmed', async () => {
    const { panel, backend, age } = await openDetails();
    const row = propertyRow(panel, age);
    query<HTMLButtonElement>(row, 'button.property-remove').click();
    query<HTMLButtonElement>(row, '.property-keep').click();
    await settle();
    expect(backend.callsOf('set_profile_property')).toHaveLength(0);
    query<HTMLButtonElement>(row, 'button.property-remove').click();
    query<HTMLButtonElement>(row, '.property-remove-confirm').click();
    await waitFor(() => panel.querySelectorAll('.profile-property').length === 0);
    expect(backend.callsOf('set_profile_property').map((c) => c.args)).toEqual([{ profileId: ID, propertyId: age, value: null }]);
    expect(query(panel, '#profile-properties').hidden).toBe(true);
  });

  it('shows the segments a new value makes the customer join', async () => {
    const { panel, backend, plan } = await openDetails();
    backend.seedSegment({ name: 'Paying', description: '', rules: [{ rule: 'property', property_id: plan, operator: 'equals', value: 'Pro' }] });
    await settle();
    expect(query(panel, '#details-segments').hidden).toBe(true);
    const select = await openAdder(panel, backend);
    choose(select, plan);
    choose(query<HTMLSelectElement>(panel, '#property-value'), 'Pro');
    query<HTMLButtonElement>(panel, '#property-value-save').click();
    await waitFor(() => !query(panel, '#details-segments').hidden);
    expect(query(panel, '#details-segments .details-segment').textContent).toBe('Paying');
  });
});
