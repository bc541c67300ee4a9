// The typed API calls the UI uses (SPEC appendix E). Add more here as P5 grows.
import { request, setCsrfToken } from "./http";
import type { DraftSaved, IssuesReport, User, Workflow, WorkflowCreated, WorkflowDocument, WorkflowPage } from "./types";

export const auth = {
  async login(email: string, password: string): Promise<User> {
    const user = await request<User>("POST", "/auth/login", { body: { email, password } });
    setCsrfToken(user.csrf_token);
    return user;
  },
  /** The signed-in user (with the session's CSRF token), or a 401 ApiError. */
  async me(): Promise<User> {
    const user = await request<User>("GET", "/auth/me");
    setCsrfToken(user.csrf_token);
    return user;
  },
  async logout(): Promise<void> {
    try {
      await request<void>("POST", "/auth/logout");
    } finally {
      setCsrfToken(null);
    }
  },
};

export interface ListWorkflowsQuery {
  search?: string;
  limit?: number;
  offset?: number;
}

export const workflows = {
  list: (query: ListWorkflowsQuery = {}, signal?: AbortSignal) =>
    request<WorkflowPage>("GET", "/workflows", { query: { ...query }, signal }),
  /** Creates a workflow from a document; `{name}` alone makes an empty draft (no trigger, no steps). */
  create: (document: WorkflowDocument) => request<WorkflowCreated>("POST", "/workflows", { body: document }),
  get: (id: string, signal?: AbortSignal) => request<Workflow>("GET", `/workflows/${encodeURIComponent(id)}`, { signal }),
  rename: (id: string, name: string) =>
    request<Workflow>("PATCH", `/workflows/${encodeURIComponent(id)}`, { body: { name } }),
  remove: (id: string) => request<void>("DELETE", `/workflows/${encodeURIComponent(id)}`),
  duplicate: (id: string, source: "draft" | "active" = "draft") =>
    request<Workflow>("POST", `/workflows/${encodeURIComponent(id)}/duplicate`, { body: { source } }),
  draft: (id: string, signal?: AbortSignal) =>
    request<WorkflowDocument>("GET", `/workflows/${encodeURIComponent(id)}/draft`, { signal }),
  saveDraft: (id: string, document: WorkflowDocument) =>
    request<DraftSaved>("PUT", `/workflows/${encodeURIComponent(id)}/draft`, { body: document }),
  issues: (id: string, signal?: AbortSignal) =>
    request<IssuesReport>("GET", `/workflows/${encodeURIComponent(id)}/issues`, { signal }),
};
