// What went wrong, in words for the person who asked: from an RFC 9457 problem (ApiError) or any other error.
import { ApiError } from "./http";

/** The problem's detail (or its title), or the error's message. */
export function problemMessage(error: unknown): string {
  if (error instanceof ApiError) return error.detail ?? error.title;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The same, but listing each issue with its path when the problem carries them (a 422's `errors[]`). */
export function problemDetails(error: unknown): string {
  if (error instanceof ApiError && error.errors.length > 0) {
    return error.errors.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join("; ");
  }
  return problemMessage(error);
}
