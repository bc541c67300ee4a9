// Deleting a step or a connection: ask the server how many steps it affects (on the saved draft), say so in a
// confirmation, then remove it with a pure edit (one undoable change).
import { useCallback, useRef, useState } from "react";
import { Button, Group, List, Loader, Modal, Stack, Text } from "@mantine/core";
import { deletionImpact } from "../client/canvas";
import { affectedSteps, deleteConnection, deleteStep } from "../canvas/edit";
import { affectedMessage } from "./affected";
import { useEditor } from "./context";

/** What is being deleted: a step, or the connection `ref` → `target` (e.g. "split.A" → "report"). */
export type Deletion = { kind: "step"; step: string } | { kind: "connection"; ref: string; target: string };

interface Pending {
  deletion: Deletion;
  /** Null while asking the server. */
  affected: string[] | null;
}

export function useDeletion() {
  const { workflow, draft, selectedNode, selectNode } = useEditor();
  const [pending, setPending] = useState<Pending | null>(null);
  // The latest draft for the async steps below (the closure's copy may be a render old).
  const latest = useRef(draft);
  latest.current = draft;

  const request = useCallback(
    async (deletion: Deletion) => {
      setPending({ deletion, affected: null });
      let affected: string[];
      try {
        // The server reckons on the saved draft: save what is pending first.
        await latest.current.flush();
        const impact = await deletionImpact(
          workflow.id,
          deletion.kind === "step" ? { step: deletion.step } : { connection: `${deletion.ref}->${deletion.target}` },
        );
        affected = impact.steps;
      } catch {
        // The same reckoning, done here, if the server cannot answer.
        const document = latest.current.document;
        affected = affectedSteps(document, deletion.kind === "step" ? { step: deletion.step } : { connectionTo: deletion.target });
      }
      setPending((current) => (current?.deletion === deletion ? { deletion, affected } : current));
    },
    [workflow.id],
  );

  const confirm = useCallback(() => {
    if (!pending) return;
    const { deletion } = pending;
    draft.update((document) =>
      deletion.kind === "step" ? deleteStep(document, deletion.step) : deleteConnection(document, deletion.ref, deletion.target),
    );
    if (deletion.kind === "step" && selectedNode === deletion.step) selectNode(null);
    setPending(null);
  }, [pending, draft, selectedNode, selectNode]);

  const cancel = useCallback(() => setPending(null), []);

  const dialog = <DeleteConfirm pending={pending} onConfirm={confirm} onCancel={cancel} />;
  return { request, dialog, open: pending !== null };
}

function DeleteConfirm({ pending, onConfirm, onCancel }: { pending: Pending | null; onConfirm: () => void; onCancel: () => void }) {
  const deletion = pending?.deletion;
  const title = deletion?.kind === "connection" ? "Delete connection" : "Delete step";
  const what =
    deletion?.kind === "connection"
      ? `the connection from "${deletion.ref}" to "${deletion.target}"`
      : deletion
        ? `the step "${deletion.step}"`
        : "";
  const affected = pending?.affected ?? null;
  return (
    <Modal opened={pending !== null} onClose={onCancel} title={title} centered>
      <Stack gap="sm">
        <Text size="sm">Delete {what}?</Text>
        {affected === null ? (
          <Group gap="xs">
            <Loader size="xs" />
            <Text size="sm" c="dimmed">
              Checking which steps depend on it…
            </Text>
          </Group>
        ) : (
          <>
            <Text size="sm" fw={500} c={affected.length ? "orange.8" : undefined}>
              {affectedMessage(affected.length)}
            </Text>
            {affected.length > 0 && (
              <List size="sm">
                {affected.map((step) => (
                  <List.Item key={step}>{step}</List.Item>
                ))}
              </List>
            )}
          </>
        )}
        <Group justify="flex-end" mt="sm">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button color="red" onClick={onConfirm} disabled={affected === null} data-autofocus>
            {title}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
