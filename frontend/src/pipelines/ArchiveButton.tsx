// "Archive pipeline" with a confirmation, "Unarchive pipeline" to restore: an archived pipeline keeps its versions and results but is no longer
// offered to new Process Conversations steps. The confirmation names the live workflows that use it: archiving pauses them, each with the
// reason, rather than leaving them to fail at their next run.
import { useEffect, useState } from "react";
import { Button, List, Stack, Text } from "@mantine/core";
import { pipelinesApi, type PipelineUse } from "../client/pipelines";
import { ConfirmModal } from "../components/ConfirmModal";
import { errorText } from "./format";

export function ArchiveButton({
  name,
  archived,
  onChanged,
}: {
  name: string;
  archived: boolean;
  onChanged: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [live, setLive] = useState<PipelineUse[]>([]);
  useEffect(() => {
    if (!open) return;
    const controller = new AbortController();
    pipelinesApi
      .usage(name, controller.signal)
      .then((uses) => setLive(uses.filter((use) => use.status === "live")))
      .catch(() => setLive([]));
    return () => controller.abort();
  }, [open, name]);
  async function unarchive() {
    setBusy(true);
    setFailure(null);
    try {
      await pipelinesApi.unarchive(name);
      onChanged();
    } catch (error) {
      setFailure(errorText(error));
    } finally {
      setBusy(false);
    }
  }
  if (archived)
    return (
      <Stack gap={4} align="flex-end">
        <Button variant="light" loading={busy} onClick={() => void unarchive()}>
          Unarchive pipeline
        </Button>
        {failure && (
          <Text c="red" size="sm">
            {failure}
          </Text>
        )}
      </Stack>
    );
  return (
    <>
      <Button color="red" variant="light" onClick={() => setOpen(true)}>
        Archive pipeline
      </Button>
      <ConfirmModal
        opened={open}
        title="Archive pipeline"
        confirmLabel={live.length ? `Archive and pause ${live.length}` : "Archive"}
        color="red"
        onConfirm={async () => {
          await pipelinesApi.archive(name, live.length > 0);
          onChanged();
        }}
        onClose={() => setOpen(false)}
      >
        <Stack gap="xs">
          <Text size="sm">
            Archiving {name} keeps its versions and the results it made, but it can no longer be chosen for new
            processing.
          </Text>
          {live.length > 0 && (
            <>
              <Text size="sm" fw={500}>
                These live workflows use it and will be paused, each saying why:
              </Text>
              <List size="sm" data-testid="archive-live-users">
                {live.map((use) => (
                  <List.Item key={use.workflow_id}>{use.name}</List.Item>
                ))}
              </List>
            </>
          )}
        </Stack>
      </ConfirmModal>
    </>
  );
}
