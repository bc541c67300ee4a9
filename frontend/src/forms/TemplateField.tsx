// A text field that is a template (Send Alert's subject and message): the input, and under it the variables it may
// use as a list of buttons; a click puts the variable where the cursor is. The list comes from the step's schema
// (`template_variables`), the steps' own variables from the workflow's steps, so the helper text needs no notation.
import { useContext, useRef, useState } from "react";
import { Button, Group, Stack, Text, TextInput, Textarea } from "@mantine/core";
import { EditorContext } from "../editor/context";
import { variableGroups, withVariable, type TemplateVariables } from "./templateVariables";
import type { Common } from "./FieldInput";

interface Props {
  common: Common;
  variables: TemplateVariables;
  value: string;
  onChange(value: string): void;
  multiline: boolean;
}

export function TemplateField({ common, variables, value, onChange, multiline }: Props) {
  const input = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [open, setOpen] = useState(false);
  const stepIds = (useContext(EditorContext)?.draft.document.steps ?? []).map((step) => step.id);
  const groups = variableGroups(variables, stepIds);

  const insert = (name: string) => {
    const element = input.current;
    const at = element?.selectionStart ?? value.length;
    const end = element?.selectionEnd ?? at;
    const { text, cursor } = withVariable(value, name, at, end);
    onChange(text);
    // Back to the field with the cursor after the variable, so the next word or variable follows it.
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(cursor, cursor);
    });
  };

  const field = multiline ? (
    <Textarea {...common} ref={input} autosize minRows={4} maxRows={14} value={value} onChange={(event) => onChange(event.currentTarget.value)} />
  ) : (
    <TextInput {...common} ref={input} value={value} onChange={(event) => onChange(event.currentTarget.value)} />
  );
  return (
    <Stack gap={4}>
      {field}
      <Button
        size="compact-xs"
        variant="subtle"
        onClick={() => setOpen((shown) => !shown)}
        aria-expanded={open}
        disabled={common.disabled}
        style={{ alignSelf: "flex-start" }}
      >
        {open ? "Hide variables" : `Insert a variable into ${common.label}`}
      </Button>
      {open && (
        <Stack gap={6} role="group" aria-label={`Variables for ${common.label}`}>
          {groups.map((group) => (
            <Stack key={group.title} gap={2}>
              <Text size="xs" fw={600}>
                {group.title}
              </Text>
              <Group gap={4}>
                {group.variables.map((variable) => (
                  <Button
                    key={variable.name}
                    size="compact-xs"
                    variant="light"
                    title={variable.note ?? undefined}
                    onMouseDown={(event) => event.preventDefault() /* keep the field's cursor where it is */}
                    onClick={() => insert(variable.name)}
                  >
                    {variable.label}
                  </Button>
                ))}
              </Group>
            </Stack>
          ))}
        </Stack>
      )}
    </Stack>
  );
}
