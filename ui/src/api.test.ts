import { invoke } from '@tauri-apps/api/core';
import { describe, expect, it, vi } from 'vitest';

import { COMMANDS, errorMessage, isApiError, refusalText, tauriBackend } from './api';
import { jobId, profileId } from './ids';
import { FakeBackend } from './testing/fakeBackend';

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn(() => Promise.resolve([])) }));

/** The Backend method of a command: `profile_details` is `profileDetails`. */
function methodOf(command: string): string {
  return command.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

describe('the list of commands', () => {
  it('has a method of the real backend for each command, and no other', () => {
    expect(Object.keys(tauriBackend).sort()).toEqual(COMMANDS.map(methodOf).sort());
  });

  it('has a method of the fake backend for each command, which records the call under the command’s name', async () => {
    const fake = new FakeBackend({ rows: 10 });
    const methods = fake as unknown as Record<string, unknown>;
    for (const command of COMMANDS) {
      const method = methods[methodOf(command)];
      expect(typeof method, `FakeBackend.${methodOf(command)}`).toBe('function');
      // Any arguments will do: the fake records a call before it checks them.
      const answer = (method as (...args: unknown[]) => Promise<unknown>).call(fake, new Uint8Array(), new Uint8Array(), new Uint8Array());
      await answer.catch(() => undefined);
      expect(fake.calls.at(-1)?.command).toBe(command);
    }
  });
});

describe('isApiError', () => {
  it('recognises every code the core sends, including the sync codes', () => {
    for (const code of ['validation', 'offline', 'server_rolled_back', 'unauthorized', 'invalid_picture']) {
      expect(isApiError({ code, message: 'm', fields: [] })).toBe(true);
    }
  });

  it('refuses unknown codes and other shapes', () => {
    expect(isApiError({ code: 'teapot', message: 'm', fields: [] })).toBe(false);
    expect(isApiError({ code: 'offline', message: 'm' })).toBe(false);
    expect(isApiError('offline')).toBe(false);
    expect(isApiError(null)).toBe(false);
  });

  it('gives the message of a core error for the banner', () => {
    expect(errorMessage({ code: 'offline', message: 'the server cannot be reached', fields: [] })).toContain(
      'the server cannot be reached',
    );
  });
});

describe('refusalText', () => {
  it('turns the core’s reason into a sentence without its category', () => {
    expect(refusalText({ code: 'invalid_request', message: "The property's name must not be empty", fields: [] })).toBe(
      "The property's name must not be empty",
    );
    expect(refusalText({ code: 'validation', message: 'Age: "old" is not a number', fields: [] })).toBe('Age: "old" is not a number');
  });
});

describe('the picture commands', () => {
  it('send the picked file as the raw body, with the profile in a header', async () => {
    const file = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    await tauriBackend.setProfilePicture(profileId('p-1'), file);
    expect(vi.mocked(invoke)).toHaveBeenLastCalledWith('set_profile_picture', file, { headers: { 'profile-id': 'p-1' } });
    await tauriBackend.removeProfilePicture(profileId('p-1'));
    expect(vi.mocked(invoke)).toHaveBeenLastCalledWith('remove_profile_picture', { profileId: 'p-1' });
    await tauriBackend.profilePictures([profileId('p-1'), profileId('p-2')]);
    expect(vi.mocked(invoke)).toHaveBeenLastCalledWith('profile_pictures', { ids: ['p-1', 'p-2'] });
  });
});

describe('the commands of bulk actions and jobs', () => {
  it('pass their arguments under the names the commands take', async () => {
    const selection = { kind: 'ids' as const, ids: [profileId('p-1'), profileId('p-2')] };
    const filter = { kind: 'filter' as const, filter: { status: 'active' as const, lastSeen: 'any' as const, search: '' } };
    const calls: [() => Promise<unknown>, string, Record<string, unknown>][] = [
      [() => tauriBackend.scheduleJob('archive', filter), 'schedule_job', { action: 'archive', selection: filter }],
      [() => tauriBackend.cancelJob(jobId('j-1')), 'cancel_job', { id: 'j-1' }],
      [() => tauriBackend.jobs(), 'jobs', {}],
      [() => tauriBackend.jobDelay(), 'job_delay', {}],
      [() => tauriBackend.setJobDelay(30), 'set_job_delay', { seconds: 30 }],
      [() => tauriBackend.deleteProfiles(selection), 'delete_profiles', { selection }],
      [
        () => tauriBackend.createSegmentFrom({ name: 'VIP', description: '', rules: [] }, selection),
        'create_segment_from',
        { draft: { name: 'VIP', description: '', rules: [] }, selection },
      ],
    ];
    for (const [call, command, args] of calls) {
      await call();
      expect(vi.mocked(invoke)).toHaveBeenLastCalledWith(command, args);
    }
  });
});
