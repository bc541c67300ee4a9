// How the pipelines pages write prices and API errors.
import { problemDetails } from "../client/problem";

/** Credits as the server sends them (a decimal string or a number): "0.50" → "0.5". */
export function formatPrice(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  const number = typeof value === "number" ? value : Number(value);
  return Number.isFinite(number) ? number.toLocaleString("en-US", { maximumFractionDigits: 4 }) : String(value);
}

/** An error's message for an alert: a problem's detail with its issues, or the error's text. */
export const errorText = problemDetails;
