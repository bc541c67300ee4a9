// "Archive pipeline" with a confirmation, "Unarchive pipeline" to restore: an archived pipeline keeps its versions and results but is no longer
// offered to new Process Conversations steps.
import { useState } from "react";
import { Button, Stack, Text } from "@mantine/core";
import { pipelinesApi } from "../client/pipelines";
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
        confirmLabel="Archive"
        color="red"
        onConfirm={async () => {
          await pipelinesApi.archive(name);
          onChanged();
        }}
        onClose={() => setOpen(false)}
      >
        <Text size="sm">
          Archiving {name} keeps its versions and the results it made, but it can no longer be chosen for new
          processing.
        </Text>
      </ConfirmModal>
    </>
  );
}
