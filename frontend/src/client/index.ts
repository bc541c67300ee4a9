export * from "./types";
export { ApiError, onUnauthorized, request, setCsrfToken } from "./http";
export { auth, workflows } from "./api";
export type { ListWorkflowsQuery } from "./api";
