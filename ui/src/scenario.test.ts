// Replays a scenario recorded from the real Rust core (src/testing/scenario.json, written by a
// Rust test) against the FakeBackend seeded with the same customers, so the fake is held to the
// core's answers: listing, sort orders, cursors, search, counts, date formatting and validation;
// properties and their values, segments by rules and by hand, and the Segment filter. The ids the
// core minted (properties, segments) are recorded as placeholders, bound to the fake's own ids
// when an answer first shows them and put in their stead in the arguments of later calls.

import { describe, expect, it } from 'vitest';

import type { ListRequest } from './bindings/ListRequest';
import type { Profile } from './bindings/Profile';
import type { ProfileFilter } from './bindings/ProfileFilter';
import type { ProfileId } from './bindings/ProfileId';
import type { ProfilePatch } from './bindings/ProfilePatch';
import type { PropertyDraft } from './bindings/PropertyDraft';
import type { PropertySort } from './bindings/PropertySort';
import type { SegmentDraft } from './bindings/SegmentDraft';
import type { SortDirection } from './bindings/SortDirection';
import { callCommand } from './bindings/commands';
import { jobSummary } from './format';
import { FakeBackend } from './testing/fakeBackend';
import recorded from './testing/scenario.json';

interface RecordedCall {
  readonly command: string;
  readonly args: Record<string, unknown>;
  readonly answer?: unknown;
  readonly error?: unknown;
}

interface Scenario {
  readonly timeZone: string;
  /** The scenario's clock when it starts (it moves at each `@clock` call). */
  readonly now: string;
  readonly profiles: readonly Profile[];
  readonly calls: readonly RecordedCall[];
}

const scenario = recorded as unknown as Scenario;

/** A copy without the object keys whose value is null (the core's spelling of an absent value). */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (inner !== null) out[key] = withoutNulls(inner);
    }
    return out;
  }
  return value;
}

/** An id the core minted during the scenario, recorded in order of first appearance. */
const PLACEHOLDER = /^00000000-0000-7000-8000-\d{12}$/;

function isPlaceholder(value: unknown): value is string {
  return typeof value === 'string' && PLACEHOLDER.test(value);
}

/** Walks the recorded value beside the fake's: wherever the recorded one is a placeholder and the
 * fake's a string, the placeholder is bound to the fake's id, the first time it is met. A later
 * meeting with another id binds nothing, nor does an id already bound to another placeholder
 * (two ids the core minted are two ids): the comparison then shows the mismatch. */
function bindPlaceholders(recordedValue: unknown, actual: unknown, bound: Map<string, string>): void {
  if (isPlaceholder(recordedValue)) {
    if (typeof actual === 'string' && !bound.has(recordedValue) && ![...bound.values()].includes(actual)) {
      bound.set(recordedValue, actual);
    }
    return;
  }
  if (Array.isArray(recordedValue)) {
    if (!Array.isArray(actual)) return;
    recordedValue.forEach((inner, i) => bindPlaceholders(inner, actual[i], bound));
    return;
  }
  if (recordedValue !== null && typeof recordedValue === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return;
    for (const [key, inner] of Object.entries(recordedValue)) {
      bindPlaceholders(inner, (actual as Record<string, unknown>)[key], bound);
    }
  }
}

/** A copy with every bound placeholder replaced by its fake id; `strict` refuses an unbound one
 * (in a call's arguments, where it would reach the fake as an id it never minted). */
function substitute(value: unknown, bound: ReadonlyMap<string, string>, strict: boolean): unknown {
  if (isPlaceholder(value)) {
    const id = bound.get(value);
    if (id !== undefined) return id;
    if (strict) throw new Error(`the placeholder ${value} is used before an answer bound it to an id of the fake`);
    return value;
  }
  if (Array.isArray(value)) return value.map((inner) => substitute(inner, bound, strict));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, substitute(inner, bound, strict)]));
  }
  return value;
}

function arg<T>(call: RecordedCall, name: string): T {
  if (!(name in call.args)) throw new Error(`${call.command} was recorded without its argument ${name}`);
  return call.args[name] as T;
}

function filterSummary(filter: ProfileFilter): string {
  const parts: string[] = [];
  if (filter.search !== '') parts.push(`search ${JSON.stringify(filter.search)}`);
  if (filter.status != null) parts.push(`status ${filter.status}`);
  if (filter.kind != null) parts.push(`kind ${filter.kind}`);
  if (filter.platform != null) parts.push(`platform ${filter.platform}`);
  if (filter.lastSeen !== 'any') parts.push(`last seen ${filter.lastSeen}`);
  if (filter.segment != null) parts.push(`segment ${filter.segment}`);
  if (filter.job != null) parts.push(`job ${filter.job}`);
  return parts.length === 0 ? 'everyone' : parts.join(', ');
}

function summary(call: RecordedCall): string {
  switch (call.command) {
    case 'list_profiles': {
      const request = arg<ListRequest>(call, 'request');
      const parts = [`by ${request.sort.column} ${request.sort.direction}`, filterSummary(request.filter), `limit ${request.limit}`];
      if (request.offset !== 0) parts.push(`offset ${request.offset}`);
      if (request.after != null) parts.push(`after ${request.after.id}`);
      return parts.join(', ');
    }
    case 'count_profiles':
      return filterSummary(arg<ProfileFilter>(call, 'filter'));
    case 'profile_details':
      return arg<string>(call, 'id');
    case 'patch_profile':
      return `${arg<string>(call, 'id')} ${JSON.stringify(arg<ProfilePatch>(call, 'patch'))}`;
    case 'create_property':
      return JSON.stringify(arg<PropertyDraft>(call, 'draft'));
    case 'properties':
      return `${JSON.stringify(arg<string>(call, 'search'))} by ${arg<PropertySort>(call, 'sort')} ${arg<SortDirection>(call, 'direction')}`;
    case 'set_profile_property':
      return `${arg<string>(call, 'profileId')} ${arg<string>(call, 'propertyId')} = ${JSON.stringify(arg<string | null>(call, 'value'))}`;
    case 'profile_properties':
    case 'profile_segments':
      return arg<string>(call, 'profileId');
    case 'create_segment':
      return `${JSON.stringify(arg<SegmentDraft>(call, 'draft'))} members ${JSON.stringify(arg<ProfileId[]>(call, 'members'))}`;
    case 'update_segment':
      return `${arg<string>(call, 'id')} ${JSON.stringify(arg<SegmentDraft>(call, 'draft'))}`;
    case 'segments':
      return JSON.stringify(arg<string>(call, 'search'));
    case '@clock':
      return `moves to ${arg<string>(call, 'now')}`;
    default: {
      const args = JSON.stringify(call.args);
      return args.length > 120 ? `${args.slice(0, 117)}...` : args;
    }
  }
}

/** Where the scenario moves the clock: the jobs due by then fire, as the core's timer fires them. */
function moveClock(backend: FakeBackend, call: RecordedCall, clock: { now: number }): Promise<unknown> {
  clock.now = Date.parse(arg<string>(call, 'now'));
  const before = new Set(backend.jobList.filter((job) => job.state === 'done').map((job) => job.id));
  backend.fireDueJobs();
  return Promise.resolve(backend.jobList.filter((job) => job.state === 'done' && !before.has(job.id)).map((job) => jobSummary(job.action, job.applied)));
}

/** A recorded call made on the fake: a command, or a move of the clock. */
function replay(backend: FakeBackend, call: RecordedCall, clock: { now: number }): Promise<unknown> {
  return call.command === '@clock' ? moveClock(backend, call, clock) : callCommand(backend, call.command, call.args);
}

describe('the fake backend replays the scenario recorded from the core', () => {
  // One backend for every call: they were recorded in order, and a patch shows in later lists.
  const backend = new FakeBackend({ profiles: scenario.profiles, timeZone: scenario.timeZone });
  // The scenario's clock, which the core's notes, requests and jobs were timed by.
  const clock = { now: Date.parse(scenario.now) };
  backend.now = () => clock.now;
  // The placeholders of the ids the core minted, bound to the ids the fake minted in their stead.
  const bound = new Map<string, string>();

  it('has calls to replay', () => {
    expect(scenario.profiles.length).toBeGreaterThan(0);
    expect(scenario.calls.length).toBeGreaterThan(0);
  });

  scenario.calls.forEach((call, i) => {
    it(`#${i + 1} ${call.command}: ${summary(call)}`, async () => {
      // The arguments as the UI would pass them: a key inside an argument that the core got as
      // null is left out; an argument that is itself null stays null. The ids the core minted
      // are the fake's.
      const args = Object.fromEntries(
        Object.entries(call.args).map(([name, value]) => [name, withoutNulls(substitute(value, bound, true))]),
      );
      const replayed: RecordedCall = { ...call, args };
      if (call.error !== undefined) {
        const error = await replay(backend, replayed, clock).then(
          (answer) => ({ unexpectedAnswer: answer }),
          (rejection: unknown) => rejection,
        );
        bindPlaceholders(call.error, error, bound);
        expect(withoutNulls(error)).toEqual(withoutNulls(substitute(call.error, bound, false)));
      } else {
        // A command answering nothing resolves to null through Tauri, to undefined in the fake.
        const answer = (await replay(backend, replayed, clock)) ?? null;
        bindPlaceholders(call.answer, answer, bound);
        expect(withoutNulls(answer)).toEqual(withoutNulls(substitute(call.answer, bound, false)));
      }
    });
  });
});
