import { describe, expect, it } from 'vitest';

import { errorMessage, isApiError, refusalText } from './api';

describe('isApiError', () => {
  it('recognises every code the core sends, including the sync codes', () => {
    for (const code of ['validation', 'offline', 'server_rolled_back', 'unauthorized']) {
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
    expect(refusalText({ code: 'invalid_request', message: "invalid request: the property's name must not be empty", fields: [] })).toBe(
      "The property's name must not be empty",
    );
    expect(refusalText({ code: 'validation', message: 'Age: "old" is not a number', fields: [] })).toBe('Age: "old" is not a number');
  });
});
