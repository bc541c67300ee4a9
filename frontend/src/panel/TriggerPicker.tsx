// The trigger kinds to start a workflow with, one button each (Manual is left out: "Run now" is always there).
import { Button, Stack } from "@mantine/core";
import { useEditor } from "../editor/context";

export function TriggerPicker({ onPick, busy }: { onPick(type: string): void; busy: boolean }) {
  const { catalog } = useEditor();
  return (
    <Stack gap="xs">
      {catalog.triggers
        .filter((kind) => kind.type !== "manual")
        .map((kind) => (
          <Button key={kind.type} variant="default" justify="flex-start" fullWidth disabled={busy} onClick={() => onPick(kind.type)}>
            {kind.title}
          </Button>
        ))}
    </Stack>
  );
}
