// A small fetch wrapper: session-cookie auth, CSRF header on every non-GET, RFC 9457 problems as typed errors.
import type { Issue } from "./types";

/** An RFC 9457 problem answered by the API (or a network failure, status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string | null;
  readonly type: string;
  /** Every issue with its path, message and canvas node (422s list them all). */
  readonly errors: Issue[];

  constructor(status: number, title: string, detail: string | null, type = "about:blank", errors: Issue[] = []) {
    super(detail ?? title);
    this.name = "ApiError";
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.type = type;
    this.errors = errors;
  }

  get isUnauthorized(): boolean {
    return this.status === 401;
  }
  get isForbidden(): boolean {
    return this.status === 403;
  }
  get isNotFound(): boolean {
    return this.status === 404;
  }
  get isValidation(): boolean {
    return this.status === 422;
  }
}

let csrfToken: string | null = null;
const unauthorizedListeners = new Set<() => void>();

export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? null;
}

/** Called whenever the API answers 401 (session gone): the app shows the sign-in page. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export type Query = Record<string, string | number | boolean | null | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

function asIssues(value: unknown): Issue[] {
  if (!Array.isArray(value)) return [];
  return value.map((item) => {
    const entry = (item ?? {}) as Record<string, unknown>;
    return {
      path: typeof entry.path === "string" ? entry.path : "",
      message: typeof entry.message === "string" ? entry.message : String(entry.msg ?? ""),
      node: typeof entry.node === "string" ? entry.node : null,
    };
  });
}

async function toError(response: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    // not JSON: keep the status line
  }
  const title = typeof body.title === "string" ? body.title : response.statusText || `HTTP ${response.status}`;
  const detail = typeof body.detail === "string" ? body.detail : null;
  const type = typeof body.type === "string" ? body.type : "about:blank";
  return new ApiError(response.status, title, detail, type, asIssues(body.errors));
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json, application/problem+json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && method !== "HEAD" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let response: Response;
  try {
    response = await fetch(withQuery(`/api${path}`, options.query), {
      method,
      headers,
      credentials: "same-origin",
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "The server cannot be reached", String(error));
  }
  if (!response.ok) {
    const error = await toError(response);
    if (error.isUnauthorized && path !== "/auth/login") unauthorizedListeners.forEach((listener) => listener());
    throw error;
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}
