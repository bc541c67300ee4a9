// A form of fields described from a JSON Schema (schema.ts): each field with its title, description and,
// under it, its helper text and any Final-checks issue naming it.
import { Fragment } from "react";
import { FieldInput } from "./FieldInput";
import { useFormEnv } from "./FormEnv";
import { fieldPath } from "./issues";
import type { FieldSpec } from "./schema";
import { withKey } from "./values";
import { isFieldShown } from "./visibility";

interface Props {
  fields: FieldSpec[];
  value: Record<string, unknown>;
  onChange(value: Record<string, unknown>): void;
  /** Where `value` sits inside the step's config ("" for the config itself, "groups[0]" …). */
  path: string;
}

export function SchemaForm({ fields, value, onChange, path }: Props) {
  const env = useFormEnv();
  return (
    <>
      {fields
        .filter((field) => isFieldShown(env.shownWhen, field.key, env.config, value[field.key]))
        .map((field) => (
          <Fragment key={field.key}>
            <FieldInput
              field={field}
              value={value[field.key]}
              onChange={(next) => onChange(withKey(value, field.key, next))}
              path={fieldPath(path, field.key)}
            />
          </Fragment>
        ))}
    </>
  );
}
