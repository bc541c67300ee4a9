// What every field of a step's form may need besides its own value: the choices its selects offer,
// the step's issues, whether editing is allowed, and the whole config (for mode-dependent fields).
import { createContext, useContext } from "react";
import type { Column, Issue } from "../client";
import type { ShownWhen } from "./visibility";

export interface FormEnv {
  /** The step kind's fields that only some settings read (the catalog's `shown_when`). */
  shownWhen: ShownWhen;
  /** The step's whole config (Distribute shows fields by its mode). */
  config: Record<string, unknown>;
  /** The conversation set's columns: conditions, sort keys, export columns, balance by. */
  columns: Column[];
  pipelines: string[];
  integrations: string[];
  /** This step's Final-checks issues. */
  issues: Issue[];
  readOnly: boolean;
}

export const FormEnvContext = createContext<FormEnv | null>(null);

export function useFormEnv(): FormEnv {
  const env = useContext(FormEnvContext);
  if (!env) throw new Error("a form field outside its FormEnvContext");
  return env;
}

/** Select data from names, keeping a saved value that is not (or no longer) among them. */
export function namesWith(names: string[], current: unknown): string[] {
  return typeof current === "string" && current && !names.includes(current) ? [...names, current] : names;
}
