// How the pipelines pages write prices and API errors.
import { ApiError } from "../client";
import { problemDetails } from "../client/problem";

/** Credits as the server sends them (a decimal string or a number): "0.50" → "0.5". */
export function formatPrice(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  const number = typeof value === "number" ? value : Number(value);
  return Number.isFinite(number) ? number.toLocaleString("en-US", { maximumFractionDigits: 4 }) : String(value);
}

/**
 * An error's message for an alert: a refusal's sentences (each names its field or criterion, so no paths such as
 * "scorecard[3]"), or the error's text.
 */
export function errorText(error: unknown): string {
  if (error instanceof ApiError && error.errors.length > 0) return error.errors.map((issue) => issue.message).join(" ");
  return problemDetails(error);
}
