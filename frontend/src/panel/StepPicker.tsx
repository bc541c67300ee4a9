// "Add new step": one button per step kind; the new step is added after the panel's `after` and opened.
import { Stack, Text, UnstyledButton } from "@mantine/core";
import { addStep } from "../canvas/edit";
import { useEditor } from "../editor/context";
import { PanelFrame } from "./PanelFrame";

export const STEP_PICKER_TITLE = "Select a next action in the workflow";

export function StepPicker({ after }: { after: string | null }) {
  const { catalog, draft, readOnly, selectNode } = useEditor();

  const pick = (type: string) => {
    let id: string | null = null;
    draft.update((document) => {
      const initial = catalog.steps.find((kind) => kind.type === type)?.initial_config ?? {};
      const added = addStep(document, type, after, initial);
      id = added.stepId;
      return added.document;
    });
    if (id) selectNode(id);
  };

  return (
    <PanelFrame title={STEP_PICKER_TITLE}>
      <Stack gap="xs">
        {catalog.steps.map((kind) => (
          <UnstyledButton
            key={kind.type}
            aria-label={kind.title}
            aria-describedby={`step-kind-${kind.type}`}
            disabled={readOnly}
            onClick={() => pick(kind.type)}
            p="sm"
            style={{ border: "1px solid var(--mantine-color-gray-3)", borderRadius: "var(--mantine-radius-sm)" }}
          >
            <Text fw={600} size="sm">
              {kind.title}
            </Text>
            <Text id={`step-kind-${kind.type}`} size="xs" c="dimmed">
              {kind.description}
            </Text>
          </UnstyledButton>
        ))}
      </Stack>
    </PanelFrame>
  );
}
