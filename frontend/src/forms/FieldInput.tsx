// One field of a step's form, by its widget: Mantine inputs, the condition builder, lists of objects.
import type { ReactNode } from "react";
import {
  ActionIcon,
  Button,
  Fieldset,
  Group,
  Input,
  JsonInput,
  MultiSelect,
  NumberInput,
  Paper,
  Select,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
  Textarea,
} from "@mantine/core";
import { ConditionField } from "./ConditionField";
import { namesWith, useFormEnv } from "./FormEnv";
import { ADD_ITEM_LABELS, enumLabel } from "./hints";
import { issuesAt } from "./issues";
import { SchemaForm } from "./SchemaForm";
import { TemplateField } from "./TemplateField";
import { chosenOption, type FieldSpec } from "./schema";
import { asRecord, moved, withItem } from "./values";

interface Props {
  field: FieldSpec;
  value: unknown;
  /** The new value; undefined (or empty) leaves the key out. */
  onChange(value: unknown): void;
  path: string;
}

// A choice (Source) shows only its own issues: the chosen option's field (Integration) shows those under it.
const CONTAINERS = new Set(["list", "object", "choice"]);

function asString(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/** The value shown: the saved one, else the schema's default (not written until changed). */
function shown(field: FieldSpec, value: unknown): unknown {
  return value === undefined || value === null ? field.default : value;
}

export function FieldInput({ field, value, onChange, path }: Props) {
  const env = useFormEnv();
  const issues = issuesAt(env.issues, path, CONTAINERS.has(field.widget.kind));
  const common = {
    label: field.title,
    description: field.description ?? undefined,
    error: issues.length ? issues.map((issue) => issue.message).join(" · ") : undefined,
    required: field.required,
    disabled: env.readOnly,
  };
  const input = renderInput(field, value, onChange, path, common);
  return (
    <Stack gap={2} data-field={path}>
      {input}
      {field.helper && (
        <Text size="xs" c="dimmed">
          {field.helper}
        </Text>
      )}
    </Stack>
  );
}

/** What every kind of input takes from its field: label, description, error and state. */
export interface Common {
  label: string;
  description?: string;
  error?: string;
  required: boolean;
  disabled: boolean;
}

function renderInput(field: FieldSpec, value: unknown, onChange: (value: unknown) => void, path: string, common: Common): ReactNode {
  const widget = field.widget;
  if (field.variables && (widget.kind === "text" || widget.kind === "textarea")) {
    return (
      <TemplateField
        common={common}
        variables={field.variables}
        value={asString(value)}
        onChange={onChange}
        multiline={widget.kind === "textarea"}
      />
    );
  }
  switch (widget.kind) {
    case "text":
      return <TextInput {...common} value={asString(value)} onChange={(event) => onChange(event.currentTarget.value)} />;
    case "textarea":
      return (
        <Textarea {...common} autosize minRows={4} maxRows={14} value={asString(value)} onChange={(event) => onChange(event.currentTarget.value)} />
      );
    case "number": {
      const current = shown(field, value);
      return (
        <NumberInput
          {...common}
          value={typeof current === "number" ? current : ""}
          allowDecimal={!widget.integer}
          min={widget.min}
          max={widget.max}
          onChange={(next) => onChange(typeof next === "number" ? next : undefined)}
        />
      );
    }
    case "boolean":
      return (
        <Switch
          label={common.label}
          description={common.description}
          error={common.error}
          disabled={common.disabled}
          checked={shown(field, value) === true}
          onChange={(event) => onChange(event.currentTarget.checked)}
        />
      );
    case "enum":
      return (
        <Select
          {...common}
          data={widget.options.map((option) => ({ value: option, label: enumLabel(option) }))}
          value={asString(shown(field, value)) || null}
          onChange={(next) => onChange(next ?? undefined)}
          allowDeselect={field.nullable}
          clearable={field.nullable}
        />
      );
    case "pipeline":
    case "integration":
    case "column":
    case "groupName":
      return <NameSelect field={field} value={value} onChange={onChange} common={common} />;
    case "columns":
      return <ColumnsSelect value={value} onChange={onChange} common={common} />;
    case "tags":
      return (
        <TagsInput
          {...common}
          value={asStrings(value)}
          onChange={onChange}
          splitChars={[",", " ", ";"]}
          acceptValueOnBlur
          clearable
          placeholder={common.disabled ? undefined : "Type and press Enter"}
        />
      );
    case "condition":
      return <ConditionInput field={field} value={value} onChange={onChange} common={common} />;
    case "list":
      return <ListInput field={field} fields={widget.fields} value={value} onChange={onChange} path={path} common={common} />;
    case "object":
      return (
        <Fieldset legend={common.label} disabled={common.disabled}>
          <Stack gap="sm">
            {common.error && <Input.Error>{common.error}</Input.Error>}
            <SchemaForm fields={widget.fields} value={asRecord(value)} onChange={onChange} path={path} />
          </Stack>
        </Fieldset>
      );
    case "choice":
      return <ChoiceInput field={field} value={value} onChange={onChange} path={path} common={common} />;
    case "json":
      return <JsonField value={value} onChange={onChange} common={common} />;
  }
}

function NameSelect({ field, value, onChange, common }: { field: FieldSpec; value: unknown; onChange(value: unknown): void; common: Common }) {
  const env = useFormEnv();
  const names =
    field.widget.kind === "pipeline"
      ? env.pipelines
      : field.widget.kind === "integration"
        ? env.integrations
        : field.widget.kind === "groupName"
          ? asGroupNames(env.config.groups)
          : env.columns.map((column) => column.name);
  return (
    <Select
      {...common}
      data={namesWith(names, value)}
      value={asString(value) || null}
      onChange={(next) => onChange(next ?? undefined)}
      searchable
      clearable={!field.required}
      nothingFoundMessage="Nothing found"
    />
  );
}

function asGroupNames(groups: unknown): string[] {
  return Array.isArray(groups) ? groups.map((group) => asString(asRecord(group).name)).filter(Boolean) : [];
}

function ColumnsSelect({ value, onChange, common }: { value: unknown; onChange(value: unknown): void; common: Common }) {
  const env = useFormEnv();
  const selected = asStrings(value);
  const names = env.columns.map((column) => column.name);
  const data = [...names, ...selected.filter((name) => !names.includes(name))];
  return <MultiSelect {...common} data={data} value={selected} onChange={onChange} searchable clearable />;
}

function ConditionInput({ field, value, onChange, common }: { field: FieldSpec; value: unknown; onChange(value: unknown): void; common: Common }) {
  const env = useFormEnv();
  return (
    <Input.Wrapper label={common.label} description={common.description} error={common.error} required={common.required}>
      <div style={{ marginTop: 4 }}>
        <ConditionField value={value} onChange={onChange} columns={env.columns} optional={field.nullable || !field.required} disabled={common.disabled} />
      </div>
    </Input.Wrapper>
  );
}

interface ListProps {
  field: FieldSpec;
  fields: FieldSpec[];
  value: unknown;
  onChange(value: unknown): void;
  path: string;
  common: Common;
}

function ListInput({ field, fields, value, onChange, path, common }: ListProps) {
  const items = Array.isArray(value) ? value : [];
  const editable = !common.disabled;
  return (
    <Input.Wrapper label={common.label} description={common.description} error={common.error} required={common.required}>
      <Stack gap="xs" mt={4}>
        {items.map((item, index) => (
          <Paper key={index} withBorder p="xs">
            <Stack gap="xs">
              <Group justify="space-between">
                <Text size="sm" fw={500}>
                  {index + 1}.
                </Text>
                {editable && (
                  <Group gap={4}>
                    <ActionIcon variant="subtle" size="sm" aria-label="Move up" disabled={index === 0} onClick={() => onChange(moved(items, index, -1))}>
                      ↑
                    </ActionIcon>
                    <ActionIcon
                      variant="subtle"
                      size="sm"
                      aria-label="Move down"
                      disabled={index === items.length - 1}
                      onClick={() => onChange(moved(items, index, 1))}
                    >
                      ↓
                    </ActionIcon>
                    <ActionIcon variant="subtle" color="red" size="sm" aria-label="Remove" onClick={() => onChange(items.filter((_, at) => at !== index))}>
                      ×
                    </ActionIcon>
                  </Group>
                )}
              </Group>
              <SchemaForm fields={fields} value={asRecord(item)} onChange={(next) => onChange(withItem(items, index, next))} path={`${path}[${index}]`} />
            </Stack>
          </Paper>
        ))}
        {editable && (
          <Button variant="light" size="xs" onClick={() => onChange([...items, {}])}>
            {ADD_ITEM_LABELS[field.key] ?? "Add item"}
          </Button>
        )}
      </Stack>
    </Input.Wrapper>
  );
}

const NO_CHOICE = "__default__";

function ChoiceInput({ field, value, onChange, path, common }: { field: FieldSpec; value: unknown; onChange(value: unknown): void; path: string; common: Common }) {
  if (field.widget.kind !== "choice") return null;
  const options = field.widget.options;
  const chosen = chosenOption(options, value);
  const data = [
    ...(field.nullable ? [{ value: NO_CHOICE, label: "Default" }] : []),
    ...options.map((option, index) => ({ value: String(index), label: option.label })),
  ];
  const pick = (picked: string | null) => {
    const option = picked === null || picked === NO_CHOICE ? null : options[Number(picked)];
    if (!option) onChange(undefined);
    else if (option.kind === "const") onChange(option.value);
    else onChange({ [option.key]: "" });
  };
  const selected = chosen ? String(options.indexOf(chosen)) : field.nullable ? NO_CHOICE : null;
  return (
    <Stack gap={6}>
      <Select {...common} data={data} value={selected} onChange={pick} allowDeselect={false} />
      {chosen?.kind === "object" && (
        <FieldInput
          field={{ ...chosen.field, helper: null }}
          value={asRecord(value)[chosen.key]}
          onChange={(next) => onChange({ ...asRecord(value), [chosen.key]: next ?? "" })}
          path={`${path}.${chosen.key}`}
        />
      )}
    </Stack>
  );
}

function JsonField({ value, onChange, common }: { value: unknown; onChange(value: unknown): void; common: Common }) {
  return (
    <JsonInput
      {...common}
      autosize
      minRows={2}
      defaultValue={value === undefined ? "" : JSON.stringify(value, null, 2)}
      onBlur={(event) => {
        const text = event.currentTarget.value.trim();
        if (!text) return onChange(undefined);
        try {
          onChange(JSON.parse(text));
        } catch {
          // JsonInput shows the parse error itself
        }
      }}
      validationError="Not valid JSON"
      formatOnBlur
    />
  );
}
