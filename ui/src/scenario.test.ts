// Replays a scenario recorded from the real Rust core (src/testing/scenario.json, written by a
// Rust test) against the FakeBackend seeded with the same customers, so the fake is held to the
// core's answers: listing, sort orders, cursors, search, counts, date formatting and validation.

import { describe, expect, it } from 'vitest';

import type { ListRequest } from './bindings/ListRequest';
import type { Profile } from './bindings/Profile';
import type { ProfileFilter } from './bindings/ProfileFilter';
import type { ProfileId } from './bindings/ProfileId';
import type { ProfilePatch } from './bindings/ProfilePatch';
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
    default:
      return JSON.stringify(call.args);
  }
}

/** Calls the fake's method for the recorded command, its arguments in the method's order. */
function invoke(backend: FakeBackend, call: RecordedCall): Promise<unknown> {
  switch (call.command) {
    case 'list_profiles':
      return backend.listProfiles(arg<ListRequest>(call, 'request'));
    case 'count_profiles':
      return backend.countProfiles(arg<ProfileFilter>(call, 'filter'));
    case 'profile_details':
      return backend.profileDetails(arg<ProfileId>(call, 'id'));
    case 'patch_profile':
      return backend.patchProfile(arg<ProfileId>(call, 'id'), arg<ProfilePatch>(call, 'patch'));
    default:
      throw new Error(`the scenario has a command the replay does not know: ${call.command}`);
  }
}

describe('the fake backend replays the scenario recorded from the core', () => {
  // One backend for every call: they were recorded in order, and a patch shows in later lists.
  const backend = new FakeBackend({ profiles: scenario.profiles, timeZone: scenario.timeZone });

  it('has calls to replay', () => {
    expect(scenario.profiles.length).toBeGreaterThan(0);
    expect(scenario.calls.length).toBeGreaterThan(0);
  });

  scenario.calls.forEach((call, i) => {
    it(`#${i + 1} ${call.command}: ${summary(call)}`, async () => {
      // The arguments as the UI would pass them: a key inside an argument that the core got as
      // null is left out; an argument that is itself null stays null.
      const args = Object.fromEntries(Object.entries(call.args).map(([name, value]) => [name, withoutNulls(structuredClone(value))]));
      const replayed: RecordedCall = { ...call, args };
      if (call.error !== undefined) {
        const error = await invoke(backend, replayed).then(
          (answer) => ({ unexpectedAnswer: answer }),
          (rejection: unknown) => rejection,
        );
        expect(withoutNulls(error)).toEqual(withoutNulls(call.error));
      } else {
        const answer = await invoke(backend, replayed);
        expect(withoutNulls(answer)).toEqual(withoutNulls(call.answer));
      }
    });
  });
});
