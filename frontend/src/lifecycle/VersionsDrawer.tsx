// "Workflow versions": every published version, newest first; view one, or make it the active one.
import { useCallback, useEffect, useState } from "react";
import { Alert, Badge, Button, Drawer, Group, Loader, Stack, Table, Text } from "@mantine/core";
import { lifecycle, type VersionSummary } from "../client/lifecycle";
import { ConfirmModal } from "../components/ConfirmModal";
import { problemMessage } from "./controls";
import { VERSIONS_HINT } from "./messages";
import { VersionView } from "./VersionView";

interface VersionsDrawerProps {
  workflowId: string;
  opened: boolean;
  /** The user may Set as active (not a viewer). */
  canActivate: boolean;
  onClose(): void;
  /** A version was set active: the workflow's active version changed. */
  onActivated(): Promise<void>;
}

function when(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function VersionsDrawer({ workflowId, opened, canActivate, onClose, onActivated }: VersionsDrawerProps) {
  const [versions, setVersions] = useState<VersionSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [viewing, setViewing] = useState<number | null>(null);
  const [toActivate, setToActivate] = useState<number | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      setVersions((await lifecycle.versions(workflowId)).data);
    } catch (caught) {
      setError(problemMessage(caught));
    }
  }, [workflowId]);

  useEffect(() => {
    if (!opened) return;
    setViewing(null);
    void load();
  }, [opened, load]);

  const activate = async (number: number) => {
    await lifecycle.activate(workflowId, number);
    await Promise.all([load(), onActivated()]);
  };

  const rows = (versions ?? []).map((version) => (
    <Table.Tr key={version.number} aria-label={`Version ${version.number}`}>
      <Table.Td>
        <Group gap={6} wrap="nowrap">
          <Text size="sm" fw={600}>
            Version {version.number}
          </Text>
          {version.active && (
            <Badge color="green" variant="light" size="sm">
              Active
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{when(version.created_at)}</Text>
        <Text size="xs" c="dimmed">
          {version.created_by_email ?? version.created_by ?? "unknown"}
        </Text>
      </Table.Td>
      <Table.Td>
        <Group gap={4} justify="flex-end" wrap="nowrap">
          <Button size="xs" variant="default" onClick={() => setViewing(version.number)}>
            View
          </Button>
          {canActivate && !version.active && (
            <Button size="xs" variant="light" onClick={() => setToActivate(version.number)}>
              Set as active
            </Button>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  ));

  return (
    <Drawer opened={opened} onClose={onClose} title="Workflow versions" position="right" size="lg">
      <Stack gap="md">
        <Text size="sm">{VERSIONS_HINT}</Text>
        {error && (
          <Alert color="red" title="The versions could not be loaded">
            {error}
          </Alert>
        )}
        {viewing !== null ? (
          <VersionView workflowId={workflowId} number={viewing} onBack={() => setViewing(null)} />
        ) : versions === null ? (
          !error && <Loader size="sm" />
        ) : versions.length === 0 ? (
          <Text size="sm" c="dimmed">
            No versions yet: publishing the workflow makes its first version.
          </Text>
        ) : (
          <Table verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Version</Table.Th>
                <Table.Th>Published</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>{rows}</Table.Tbody>
          </Table>
        )}
      </Stack>
      <ConfirmModal
        opened={toActivate !== null}
        title={`Set version ${toActivate ?? ""} as active?`}
        confirmLabel="Set as active"
        onConfirm={() => activate(toActivate as number)}
        onClose={() => setToActivate(null)}
      >
        <Text size="sm">
          New runs will run version {toActivate}. Runs already in flight keep the version they started with, and the
          draft is not changed.
        </Text>
      </ConfirmModal>
    </Drawer>
  );
}
