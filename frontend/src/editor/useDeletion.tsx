// Deleting a step, several steps (a box selection) or a connection: ask the server how many steps it affects (on
// the saved draft), say so in a confirmation naming each step as its node does (title and summary, not its id),
// then remove it with a pure edit (one undoable change).
import { useCallback, useRef, useState } from "react";
import { Button, Group, List, Loader, Modal, Stack, Text } from "@mantine/core";
import { deletionImpact } from "../client/canvas";
import { affectedSteps, deleteConnection, deleteSteps } from "../canvas/edit";
import { DEFAULT_PORT, parseRef } from "../canvas/graph";
import { affectedMessage } from "./affected";
import { useEditor } from "./context";

/** What is being deleted: one step, several, or the connection `ref` → `target` (e.g. "split.A" → "report"). */
export type Deletion =
  | { kind: "step"; step: string }
  | { kind: "steps"; steps: string[] }
  | { kind: "connection"; ref: string; target: string };

/** Deleting these steps: one is a "step" deletion, several a "steps" one (asked and undone together). */
export function stepsDeletion(steps: string[]): Deletion {
  return steps.length === 1 ? { kind: "step", step: steps[0] } : { kind: "steps", steps };
}

/** The deletion's right-click menu item: "Delete step", "Delete 3 steps", "Delete connection". */
export function deletionLabel(deletion: Deletion): "Delete step" | `Delete ${number} steps` | "Delete connection" {
  if (deletion.kind === "connection") return "Delete connection";
  return deletion.kind === "steps" ? `Delete ${deletion.steps.length} steps` : "Delete step";
}

/** The steps a deletion removes (none for a connection). */
function deletedSteps(deletion: Deletion): string[] {
  if (deletion.kind === "step") return [deletion.step];
  return deletion.kind === "steps" ? deletion.steps : [];
}

/** The server's answer for one step or connection; for several steps, the union of theirs less the steps. */
async function askImpact(workflowId: string, deletion: Deletion): Promise<string[]> {
  if (deletion.kind === "connection") {
    return (await deletionImpact(workflowId, { connection: `${deletion.ref}->${deletion.target}` })).steps;
  }
  const steps = deletedSteps(deletion);
  const impacts = await Promise.all(steps.map((step) => deletionImpact(workflowId, { step })));
  const affected = new Set(impacts.flatMap((impact) => impact.steps));
  return [...affected].filter((step) => !steps.includes(step));
}

interface Pending {
  deletion: Deletion;
  /** Null while asking the server. */
  affected: string[] | null;
}

/** How a dialog names a step: its title and summary (the canvas passes what its nodes show). */
export type NameOf = (stepId: string) => string;

export function useDeletion(nameOf: NameOf = (id) => id) {
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
        affected = await askImpact(workflow.id, deletion);
      } catch {
        // The same reckoning, done here, if the server cannot answer.
        const document = latest.current.document;
        affected = affectedSteps(document, deletion.kind === "connection" ? { connectionTo: deletion.target } : { steps: deletedSteps(deletion) });
      }
      setPending((current) => (current?.deletion === deletion ? { deletion, affected } : current));
    },
    [workflow.id],
  );

  const confirm = useCallback(() => {
    if (!pending) return;
    const { deletion } = pending;
    draft.update((document) =>
      deletion.kind === "connection" ? deleteConnection(document, deletion.ref, deletion.target) : deleteSteps(document, deletedSteps(deletion)),
    );
    if (selectedNode && deletedSteps(deletion).includes(selectedNode)) selectNode(null);
    setPending(null);
  }, [pending, draft, selectedNode, selectNode]);

  const cancel = useCallback(() => setPending(null), []);

  const dialog = <DeleteConfirm pending={pending} onConfirm={confirm} onCancel={cancel} nameOf={nameOf} />;
  return { request, dialog, open: pending !== null };
}

/** "“Distribute — A 50% · B 50%” (group A)": a connection's start, named as its node is. */
function connectionStart(ref: string, nameOf: NameOf): string {
  const { source, port } = parseRef(ref);
  return `“${nameOf(source)}”${port === DEFAULT_PORT ? "" : ` (group ${port})`}`;
}

function DeleteConfirm({ pending, onConfirm, onCancel, nameOf }: { pending: Pending | null; onConfirm: () => void; onCancel: () => void; nameOf: NameOf }) {
  const deletion = pending?.deletion;
  const title = deletion?.kind === "connection" ? "Delete connection" : deletion?.kind === "steps" ? "Delete steps" : "Delete step";
  const what =
    deletion?.kind === "connection"
      ? `the connection from ${connectionStart(deletion.ref, nameOf)} to “${nameOf(deletion.target)}”`
      : deletion?.kind === "steps"
        ? `${deletion.steps.length} steps: ${deletion.steps.map((step) => `“${nameOf(step)}”`).join(", ")}`
        : deletion
          ? `the step “${nameOf(deletion.step)}”`
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
              {affectedMessage(affected.length, deletion?.kind === "steps")}
            </Text>
            {affected.length > 0 && (
              <List size="sm">
                {affected.map((step) => (
                  <List.Item key={step}>{nameOf(step)}</List.Item>
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
