// The Settings form ↔ the API: NumberInput values (empty = no limit) to `PUT …/settings` and back, and a 422's
// `errors[]` onto the fields they name. Pure, so it is tested on its own.
import { ApiError } from "../client";
import type { OverlapPolicy, SettingsUpdate, WorkflowSettings } from "../client/lifecycle";

/** Mantine's NumberInput value: a number, or a string while empty (or not yet a number, e.g. "-"). */
export type NumberValue = number | string;

export interface SettingsForm {
  callLimit: NumberValue;
  creditsLimit: NumberValue;
  overlap: OverlapPolicy;
}

export type SettingsField = keyof SettingsForm;
export type FieldErrors = Partial<Record<SettingsField, string>>;

/** The API's names of the form's fields (also how a 422's paths name them). */
const API_FIELDS: Record<string, SettingsField> = {
  call_limit: "callLimit",
  credits_limit: "creditsLimit",
  overlap: "overlap",
};

export function formFromSettings(settings: WorkflowSettings): SettingsForm {
  return {
    callLimit: settings.call_limit ?? "",
    creditsLimit: settings.credits_limit ?? "",
    overlap: settings.overlap,
  };
}

/** Empty → null (no limit); a number as is; anything else is NaN, which `validateForm` refuses. */
function limitOf(value: NumberValue): number | null {
  if (typeof value === "number") return value;
  const text = value.trim();
  return text === "" ? null : Number(text);
}

export function bodyFromForm(form: SettingsForm): SettingsUpdate {
  return { call_limit: limitOf(form.callLimit), credits_limit: limitOf(form.creditsLimit), overlap: form.overlap };
}

/** What the browser can tell before asking the server: whole, non-negative calls; non-negative credits. */
export function validateForm(form: SettingsForm): FieldErrors {
  const errors: FieldErrors = {};
  const calls = limitOf(form.callLimit);
  if (calls !== null && (!Number.isInteger(calls) || calls < 0)) errors.callLimit = "Enter a whole number of 0 or more";
  const credits = limitOf(form.creditsLimit);
  if (credits !== null && (!Number.isFinite(credits) || credits < 0)) errors.creditsLimit = "Enter a number of 0 or more";
  return errors;
}

/** Which field an issue's path names ("call_limit", "body.call_limit", "settings.credits_limit" …), if any. */
export function fieldOfPath(path: string): SettingsField | null {
  for (const part of path.split(/[.[\]]/)) {
    const field = API_FIELDS[part];
    if (field) return field;
  }
  return null;
}

/** A failed save: each issue on its field; what no field owns (or a non-422 failure) as a general message. */
export function errorsFromProblem(error: unknown): { fields: FieldErrors; general: string | null } {
  if (!(error instanceof ApiError)) return { fields: {}, general: error instanceof Error ? error.message : String(error) };
  const fields: FieldErrors = {};
  const unplaced: string[] = [];
  for (const issue of error.errors) {
    const field = fieldOfPath(issue.path);
    if (field) fields[field] = fields[field] ? `${fields[field]}; ${issue.message}` : issue.message;
    else unplaced.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  }
  const placed = Object.keys(fields).length > 0;
  const general = unplaced.length > 0 ? unplaced.join("; ") : placed ? null : (error.detail ?? error.title);
  return { fields, general };
}

export function formatNumber(value: number): string {
  return value.toLocaleString(undefined, { maximumFractionDigits: 2 });
}

/** "1 trigger + 57 conversations = 58 of 100 calls in the last 24 h" */
export function callUsage(triggers: number, conversations: number, limit: number | null): string {
  const total = triggers + conversations;
  const of = limit === null ? "" : ` of ${formatNumber(limit)}`;
  const plural = (n: number, word: string) => `${formatNumber(n)} ${word}${n === 1 ? "" : "s"}`;
  return `${plural(triggers, "trigger")} + ${plural(conversations, "conversation")} = ${formatNumber(total)}${of} calls in the last 24 h`;
}
