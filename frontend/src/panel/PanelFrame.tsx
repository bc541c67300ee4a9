// The side panel's frame: a heading row with the close button, then the panel's content.
import type { ReactNode } from "react";
import { CloseButton, Group, Stack, Title } from "@mantine/core";
import { useEditor } from "../editor/context";

export function PanelFrame({ title, children }: { title: ReactNode; children: ReactNode }) {
  const { selectNode } = useEditor();
  return (
    <Stack gap="md" p="md">
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Title order={4}>{title}</Title>
        <CloseButton aria-label="Close panel" onClick={() => selectNode(null)} />
      </Group>
      {children}
    </Stack>
  );
}
