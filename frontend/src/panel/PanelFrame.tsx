// The side panel's frame: a heading row with the close button, then the panel's content.
//
// The heading takes the focus when the panel opens from the keyboard (Enter on a node: `focusPanel`) and whenever
// the focus would otherwise be lost: the control that had it went with what the panel showed before (a step kind
// picked in "Add new step", a trigger picked), so a keyboard user carries on from the panel, not from the page's top.
import { useEffect, useRef, type ReactNode } from "react";
import { CloseButton, Group, Stack, Title } from "@mantine/core";
import { useEditor } from "../editor/context";

const HEADING = "data-panel-heading";

/** Move the focus to the open panel's heading (no panel open: nothing happens). */
export function focusPanel(): void {
  document.querySelector<HTMLElement>(`[${HEADING}]`)?.focus();
}

export function PanelFrame({ title, children }: { title: ReactNode; children: ReactNode }) {
  const { selectNode } = useEditor();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    const focused = document.activeElement;
    if (!focused || focused === document.body) heading.current?.focus();
  });
  return (
    <Stack gap="md" p="md">
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Title order={4} ref={heading} tabIndex={-1} {...{ [HEADING]: "" }}>
          {title}
        </Title>
        <CloseButton aria-label="Close panel" onClick={() => selectNode(null)} />
      </Group>
      {children}
    </Stack>
  );
}
