import type { ApiError } from './bindings/ApiError';
import type { ErrorCode } from './bindings/ErrorCode';

// The Rust core as the UI sees it, and the real one: generated from the shell's list of commands
// (src-tauri/command_list.rs), a method per command under the command's own name.
export type { Backend } from './bindings/commands';
export { tauriBackend, COMMANDS } from './bindings/commands';

// Listing every code in a record keyed by ErrorCode makes the compiler refuse a code added in
// Rust and forgotten here.
const KNOWN_CODES: Record<ErrorCode, true> = {
  validation: true,
  not_found: true,
  invalid_request: true,
  invalid_time_zone: true,
  storage: true,
  unauthorized: true,
  forbidden: true,
  mutation_gap: true,
  unknown_mutation: true,
  rate_limited: true,
  payload_too_large: true,
  unavailable: true,
  internal: true,
  server_rolled_back: true,
  offline: true,
  keychain: true,
  overwritten: true,
  invalid_picture: true,
  pending_of_another_manager: true,
  desktop: true,
};
const ERROR_CODES: ReadonlySet<string> = new Set(Object.keys(KNOWN_CODES));

/** Whether a rejection is the core's `{code, message, fields}` error. */
export function isApiError(e: unknown): e is ApiError {
  if (typeof e !== 'object' || e === null) return false;
  const candidate = e as Record<string, unknown>;
  return (
    typeof candidate['code'] === 'string' &&
    ERROR_CODES.has(candidate['code']) &&
    typeof candidate['message'] === 'string' &&
    Array.isArray(candidate['fields'])
  );
}

/**
 * Text for the error banner. Besides the core's errors, the IPC layer itself can reject with a
 * bare string (an unknown command, a denied permission), and code can throw an Error.
 */
export function errorMessage(e: unknown): string {
  if (isApiError(e)) return e.message;
  if (e instanceof Error) return e.message;
  if (typeof e === 'string' && e !== '') return e;
  return 'Something went wrong.';
}

/**
 * The core's reason for refusing a form, as a sentence ("The property's name must not be empty"):
 * the core sends the reason alone, so nothing is stripped; only the IPC layer's own errors may
 * start in lower case.
 */
export function refusalText(e: unknown): string {
  const text = errorMessage(e);
  return text.charAt(0).toUpperCase() + text.slice(1);
}
