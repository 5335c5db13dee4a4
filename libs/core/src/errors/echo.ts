/** Longest piece of a client's own input that an error message quotes back. */
export const MAX_ECHO_LENGTH = 120;

/**
 * A client's input as an error message quotes it: cut to a short excerpt, so a 1 MiB model
 * name or path does not become a 1 MiB error body (or log line).
 */
export function echo(input: string): string {
  return input.length <= MAX_ECHO_LENGTH ? input : `${input.slice(0, MAX_ECHO_LENGTH)}… (${input.length} characters)`;
}
