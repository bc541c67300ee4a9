// A confirmation dialog whose action is asynchronous: the confirm button spins, a failure stays in the dialog.
import { useState, type ReactNode } from "react";
import { Alert, Button, Group, Modal, Stack } from "@mantine/core";
import { problemMessage } from "../client/problem";

export interface ConfirmModalProps {
  opened: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** The button that closes without acting (default "Cancel"). */
  cancelLabel?: string;
  color?: string;
  /** Runs on confirm; the dialog closes when it resolves and shows the error when it throws. */
  onConfirm(): Promise<void>;
  onClose(): void;
}

export function ConfirmModal({
  opened,
  title,
  children,
  confirmLabel,
  cancelLabel = "Cancel",
  color,
  onConfirm,
  onClose,
}: ConfirmModalProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const close = () => {
    if (busy) return;
    setError(null);
    onClose();
  };
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      setBusy(false);
      onClose();
    } catch (caught) {
      setBusy(false);
      setError(problemMessage(caught));
    }
  };

  return (
    <Modal opened={opened} onClose={close} title={title} centered>
      <Stack gap="md">
        {children}
        {error && (
          <Alert color="red" title="That did not work">
            {error}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={close} disabled={busy}>
            {cancelLabel}
          </Button>
          <Button color={color} loading={busy} onClick={() => void confirm()} data-autofocus>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
