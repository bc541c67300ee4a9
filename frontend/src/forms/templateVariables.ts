// The variables a template field may use, as the server's schema lists them (`template_variables`), grouped for
// the list under the field, and how a click puts one into the text. Pure: no React.

export interface TemplateFact {
  /** What the template reads, e.g. "input.count". */
  name: string;
  label: string;
  group: string;
  /** The kinds of trigger that fill a trigger variable (empty for the others). */
  only?: string[];
}

export interface TemplateVariables {
  facts: TemplateFact[];
  /** What every step of the workflow offers (its rows in and out, …), listed per step id. */
  step_facts: { attribute: string; label: string }[];
}

export interface ShownVariable {
  name: string;
  label: string;
  /** Shown on hover: which triggers fill it. */
  note: string | null;
}

export interface VariableGroup {
  title: string;
  variables: ShownVariable[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The schema's `template_variables`, or null when a field has none (or they are malformed). */
export function templateVariablesOf(value: unknown): TemplateVariables | null {
  if (!isRecord(value) || !Array.isArray(value.facts) || !Array.isArray(value.step_facts)) return null;
  const facts = value.facts.filter(
    (fact): fact is TemplateFact => isRecord(fact) && typeof fact.name === "string" && typeof fact.label === "string" && typeof fact.group === "string",
  );
  const stepFacts = value.step_facts.filter(
    (fact): fact is { attribute: string; label: string } => isRecord(fact) && typeof fact.attribute === "string" && typeof fact.label === "string",
  );
  return { facts, step_facts: stepFacts };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** How a template reads a step's fact: `steps.split.rows_out`, or `steps['my-step'].rows_out` for an id with a dash. */
export function stepFactName(stepId: string, attribute: string): string {
  return IDENTIFIER.test(stepId) ? `steps.${stepId}.${attribute}` : `steps['${stepId}'].${attribute}`;
}

/** The variables in groups (Workflow, Run, Input, Trigger, then one group per step of the workflow). */
export function variableGroups(variables: TemplateVariables, stepIds: string[]): VariableGroup[] {
  const groups: VariableGroup[] = [];
  for (const fact of variables.facts) {
    let group = groups.find((candidate) => candidate.title === fact.group);
    if (!group) {
      group = { title: fact.group, variables: [] };
      groups.push(group);
    }
    const note = fact.only && fact.only.length ? `Filled by: ${fact.only.join(", ")}` : null;
    group.variables.push({ name: fact.name, label: fact.label, note });
  }
  for (const id of stepIds) {
    groups.push({
      title: `Step ${id}`,
      variables: variables.step_facts.map((fact) => ({ name: stepFactName(id, fact.attribute), label: `${id}: ${fact.label}`, note: null })),
    });
  }
  return groups;
}

/** `text` with the variable put in place of the selection [start, end), and where the cursor goes after it. */
export function withVariable(text: string, name: string, start: number, end: number = start): { text: string; cursor: number } {
  const from = Math.max(0, Math.min(start, text.length));
  const to = Math.max(from, Math.min(end, text.length));
  const inserted = `{{ ${name} }}`;
  return { text: text.slice(0, from) + inserted + text.slice(to), cursor: from + inserted.length };
}
