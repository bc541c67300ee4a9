export * from "./types";
export { ApiError, onUnauthorized, request, setCsrfToken } from "./http";
export { auth, workflows } from "./api";
export type { ListWorkflowsQuery } from "./api";
export { catalog } from "./catalog";
export type { Column, ColumnKind, JsonSchema, StepCatalog, StepKind, TriggerKind } from "./catalog";
