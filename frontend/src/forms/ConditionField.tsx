// A condition edited with react-querybuilder and its Mantine controls. The builder works on its own copy
// (with the ids it needs); the document gets the cleaned condition (no ids, no paths).
import { useEffect, useMemo, useState } from "react";
import { QueryBuilder, prepareRuleGroup, type Field, type RuleGroupType, type ValueSelectorProps } from "react-querybuilder";
import {
  MantineValueEditor,
  MantineValueSelector,
  QueryBuilderMantine,
  type MantineValueEditorProps,
} from "@react-querybuilder/mantine";
import "react-querybuilder/dist/query-builder.css";
import "@mantine/dates/styles.css";
import "./ConditionField.css";
import type { Column } from "../client";
import { cleanCondition, conditionFields, emptyCondition, numericColumns, sameCondition, type Condition } from "./condition";

interface Props {
  value: unknown;
  /** The cleaned condition; undefined when an optional condition has no rules left. */
  onChange(value: Condition | undefined): void;
  columns: Column[];
  optional: boolean;
  disabled: boolean;
}

function toQuery(value: unknown): RuleGroupType {
  return prepareRuleGroup(value ? (cleanCondition(value) as RuleGroupType) : (emptyCondition() as RuleGroupType));
}

/** Fields a saved rule names that the catalog lacks still show (as text) rather than vanish. */
function fieldsFor(columns: Column[], value: unknown): Field[] {
  const known = new Set(columns.map((column) => column.name));
  const extra: Column[] = [];
  const visit = (group: Condition) =>
    group.rules.forEach((rule) => {
      if ("rules" in rule) visit(rule);
      else if (rule.field && !known.has(rule.field)) {
        known.add(rule.field);
        extra.push({ name: rule.field, kind: "text", analysis: false });
      }
    });
  if (value) visit(cleanCondition(value));
  return conditionFields([...columns, ...extra]) as Field[];
}

// The builder names its controls (Combinator, Field, Operator, Value) by a title alone, which assistive technology
// need not read: each is named by that title as its accessible name too (axe: label-title-only).
function NamedSelector(props: ValueSelectorProps) {
  return <MantineValueSelector {...props} aria-label={props.title} />;
}

function NamedEditor(props: MantineValueEditorProps) {
  return <MantineValueEditor {...props} extraProps={{ ...props.extraProps, "aria-label": props.title }} />;
}

const NAMED_CONTROLS = { valueSelector: NamedSelector, valueEditor: NamedEditor };

export function ConditionField({ value, onChange, columns, optional, disabled }: Props) {
  const [query, setQuery] = useState<RuleGroupType>(() => toQuery(value));
  const fields = useMemo(() => fieldsFor(columns, value), [columns, value]);
  const numeric = useMemo(() => numericColumns(columns), [columns]);

  // The document changed from elsewhere (undo, a reload): show that.
  useEffect(() => {
    setQuery((current) => (sameCondition(value ?? emptyCondition(), current, numeric) ? current : toQuery(value)));
  }, [value, numeric]);

  const change = (next: RuleGroupType) => {
    setQuery(next);
    const cleaned = cleanCondition(next, numeric);
    onChange(optional && cleaned.rules.length === 0 ? undefined : cleaned);
  };

  return (
    <div className={disabled ? "rf-condition rf-condition-readonly" : "rf-condition"}>
      <QueryBuilderMantine>
        <QueryBuilder
          fields={fields}
          query={query}
          onQueryChange={change}
          listsAsArrays
          parseNumbers="strict-limited"
          showNotToggle
          resetOnFieldChange
          disabled={disabled}
          controlClassnames={{ queryBuilder: "queryBuilder-branches" }}
          controlElements={NAMED_CONTROLS}
          translations={{ addRule: { label: "+ Rule", title: "Add rule" }, addGroup: { label: "+ Group", title: "Add group" } }}
        />
      </QueryBuilderMantine>
    </div>
  );
}
