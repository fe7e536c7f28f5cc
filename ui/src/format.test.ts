import { describe, expect, it } from 'vitest';

import {
  fieldErrorText,
  formatCountdown,
  formatCustomerCount,
  formatUserCount,
  initials,
  isAnonymousUsername,
  jobSummary,
  jobTitle,
  propertyValueText,
  usernameInitials,
} from './format';
import { profileId } from './ids';

describe('formatUserCount', () => {
  it('groups thousands and agrees in number', () => {
    expect(formatUserCount(1_000_000)).toBe('1,000,000 users');
    expect(formatUserCount(1)).toBe('1 user');
    expect(formatUserCount(0)).toBe('0 users');
    expect(formatUserCount(12_345)).toBe('12,345 users');
  });
});

describe('fieldErrorText', () => {
  it('puts the capitalised label before the reason', () => {
    expect(fieldErrorText('phone', 'is not a valid number for its country')).toBe('Phone is not a valid number for its country');
    expect(fieldErrorText('firstName', 'is longer than 500 characters')).toBe('First name is longer than 500 characters');
  });
});

describe('initials', () => {
  it('takes the first letters of the names, else of the username', () => {
    expect(initials({ firstName: 'ada', lastName: 'Lovelace' }, 'ada Lovelace')).toBe('AL');
    expect(initials({ firstName: ' Zoë', lastName: '' }, 'Zoë')).toBe('Z');
    expect(initials({ firstName: '', lastName: '' }, 'ada@example.com')).toBe('A');
    expect(initials({ firstName: '𝒜lice', lastName: '' }, '𝒜lice')).toBe('𝒜');
    expect(initials({ firstName: '', lastName: '' }, '')).toBe('?');
  });
});

describe('propertyValueText', () => {
  it('shows booleans as Yes / No and everything else as written', () => {
    expect(propertyValueText('boolean', 'true')).toBe('Yes');
    expect(propertyValueText('boolean', 'false')).toBe('No');
    expect(propertyValueText('date', '2025-07-01')).toBe('2025-07-01');
    expect(propertyValueText('number', '4.5')).toBe('4.5');
  });
});

describe('the table avatar’s fallback', () => {
  it('takes initials from the username’s first two words, or an email’s first letter', () => {
    expect(usernameInitials('Ada Lovelace')).toBe('AL');
    expect(usernameInitials('ada tester 0000001')).toBe('AT');
    expect(usernameInitials('Grace')).toBe('G');
    expect(usernameInitials('  ada@example.com ')).toBe('A');
    expect(usernameInitials('😀 Smile')).toBe('😀S');
    expect(usernameInitials('')).toBe('?');
  });

  it('recognises the core’s stand-in name for a customer with no name and no email', () => {
    const id = profileId('01890a5d-ac96-774b-bcce-b302099a8057');
    expect(isAnonymousUsername(id, 'Anonymous 099a8057')).toBe(true);
    expect(isAnonymousUsername(id, 'Anonymous 12345678')).toBe(false);
    expect(isAnonymousUsername(id, 'Anonymous Tester')).toBe(false);
  });
});

describe('the words of jobs', () => {
  it('names a job, and what it did as its notification says', () => {
    expect(formatCustomerCount(1)).toBe('1 customer');
    expect(jobTitle('archive', 3)).toBe('Archive 3 customers');
    expect(jobTitle('activate', 1)).toBe('Activate 1 customer');
    expect(jobSummary('archive', 1204)).toBe('Archived 1,204 profiles');
    expect(jobSummary('activate', 1)).toBe('Activated 1 profile');
  });

  it('counts down in minutes and seconds, then hours and days, to "now"', () => {
    expect(formatCountdown(300_000)).toBe('in 5:00');
    expect(formatCountdown(299_001)).toBe('in 5:00');
    expect(formatCountdown(299_000)).toBe('in 4:59');
    expect(formatCountdown(1)).toBe('in 0:01');
    expect(formatCountdown(0)).toBe('now');
    expect(formatCountdown(-5000)).toBe('now');
    expect(formatCountdown(3_723_000)).toBe('in 1:02:03');
    expect(formatCountdown(604_800_000)).toBe('in 7 d 00:00:00');
    expect(formatCountdown(Number.NaN)).toBe('now');
  });
});
