export * from "./types";
export { ApiError, onUnauthorized, request, setCsrfToken } from "./http";
export { auth, workflows } from "./api";
export type { ListWorkflowsQuery } from "./api";
export { catalog, knownCatalog } from "./catalog";
export type { Column, ColumnKind, JsonSchema, NodeSummaries, StepCatalog, StepKind, StepSummary, TriggerKind } from "./catalog";
