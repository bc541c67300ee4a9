// The Integrations page (/integrations): the connected sources your rules allow, with their conversations; an editor
// adds a push integration (its token is shown once) or a folder one (its path, scanned every few minutes); each
// integration's syncs — when, what they brought, why one failed — and, for a folder, "Sync now".
import { useCallback, useEffect, useState } from "react";
import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  NumberInput,
  Paper,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useAuth } from "../auth";
import { integrationsApi, type IntegrationCreated, type IntegrationSummary, type Sync } from "../client/integrations";
import { problemMessage } from "../client/problem";
import { formatTime, statusColor, statusLabel } from "../runs/format";
import { syncCounts } from "./syncs";

function NewIntegrationForm({ onCreated }: { onCreated(created: IntegrationCreated): void }) {
  const [name, setName] = useState("");
  const [kind, setKind] = useState<"push" | "folder">("push");
  const [path, setPath] = useState("");
  const [every, setEvery] = useState<number | string>(5);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const create = async () => {
    setBusy(true);
    setFailure(null);
    try {
      const config = kind === "folder" ? { path, every_minutes: Number(every) || 5 } : {};
      onCreated(await integrationsApi.create({ name: name.trim(), kind, config }));
      setName("");
      setPath("");
    } catch (error) {
      setFailure(problemMessage(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Paper withBorder p="md">
      <Stack gap="sm">
        <Title order={4}>New integration</Title>
        <SegmentedControl
          value={kind}
          onChange={(value) => setKind(value === "folder" ? "folder" : "push")}
          data={[
            { label: "Push (your system sends batches)", value: "push" },
            { label: "Folder (files dropped in a folder)", value: "folder" },
          ]}
        />
        <TextInput label="Name" description="How workflows and triggers name it." value={name} onChange={(e) => setName(e.currentTarget.value)} />
        {kind === "folder" && (
          <Group grow align="flex-start">
            <TextInput
              label="Folder"
              description="The folder on the server whose new files are imported."
              value={path}
              onChange={(e) => setPath(e.currentTarget.value)}
            />
            <NumberInput label="Every (minutes)" description="How often it is scanned." min={1} value={every} onChange={setEvery} />
          </Group>
        )}
        {failure && (
          <Text size="sm" c="red" role="alert">
            {failure}
          </Text>
        )}
        <Group>
          <Button loading={busy} disabled={!name.trim() || (kind === "folder" && !path.trim())} onClick={() => void create()}>
            Add integration
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

function SyncHistory({ integration, canEdit }: { integration: IntegrationSummary; canEdit: boolean }) {
  const [syncs, setSyncs] = useState<Sync[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [said, setSaid] = useState<string | null>(null);
  const [epoch, setEpoch] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    integrationsApi
      .syncs(integration.id, controller.signal)
      .then((answer) => setSyncs(answer.data))
      .catch((caught: unknown) => {
        if (!controller.signal.aborted) setError(problemMessage(caught));
      });
    return () => controller.abort();
  }, [integration.id, epoch]);
  const syncNow = async () => {
    setSaid(null);
    try {
      const answer = await integrationsApi.syncNow(integration.id);
      setSaid(answer.sync ? "Synced: the new files were imported." : "Nothing new in the folder.");
      setEpoch((current) => current + 1);
    } catch (caught) {
      setSaid(problemMessage(caught));
    }
  };
  return (
    <Stack gap="xs" data-testid={`syncs-${integration.name}`}>
      <Group justify="space-between">
        <Text fw={600} size="sm">
          Syncs of {integration.name}
        </Text>
        <Group gap="xs">
          <Button size="compact-sm" variant="default" onClick={() => setEpoch((current) => current + 1)}>
            Refresh
          </Button>
          {canEdit && integration.kind === "folder" && (
            <Button size="compact-sm" onClick={() => void syncNow()}>
              Sync now
            </Button>
          )}
        </Group>
      </Group>
      {said && (
        <Text size="sm" role="status">
          {said}
        </Text>
      )}
      {error && <Alert color="red">{error}</Alert>}
      {syncs !== null && syncs.length === 0 && (
        <Text size="sm" c="dimmed">
          No syncs yet.
        </Text>
      )}
      {syncs !== null && syncs.length > 0 && (
        <Table withTableBorder fz="sm" aria-label={`Syncs of ${integration.name}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Started</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Conversations</Table.Th>
              <Table.Th>Error</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {syncs.map((sync) => (
              <Table.Tr key={sync.id}>
                <Table.Td>{formatTime(sync.started_at)}</Table.Td>
                <Table.Td>
                  <Badge size="sm" variant="light" color={statusColor(sync.status)}>
                    {statusLabel(sync.status)}
                  </Badge>
                </Table.Td>
                <Table.Td>{syncCounts(sync)}</Table.Td>
                <Table.Td>
                  <Text size="xs" c={sync.error ? "red" : "dimmed"}>
                    {sync.error ?? "—"}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

export function IntegrationsPage() {
  const { canEdit } = useAuth();
  const [integrations, setIntegrations] = useState<IntegrationSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [token, setToken] = useState<IntegrationCreated | null>(null);
  const [epoch, setEpoch] = useState(0);
  const refresh = useCallback(() => setEpoch((current) => current + 1), []);
  useEffect(() => {
    const controller = new AbortController();
    integrationsApi
      .list(controller.signal)
      .then((answer) => setIntegrations(answer.data))
      .catch((caught: unknown) => {
        if (!controller.signal.aborted) setError(problemMessage(caught));
      });
    return () => controller.abort();
  }, [epoch]);
  const chosen = integrations?.find((each) => each.id === selected) ?? null;
  return (
    <Stack p="lg" gap="md" maw={1100}>
      <Title order={1} size="h2">
        Integrations
      </Title>
      <Text size="sm" c="dimmed">
        The sources your conversations come from. Each push, folder scan or import is a sync: Integration Sync triggers
        start workflows on them.
      </Text>
      {error && <Alert color="red">{error}</Alert>}
      {integrations !== null && (
        <Table withTableBorder highlightOnHover aria-label="Integrations">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Conversations</Table.Th>
              <Table.Th>Added</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {integrations.map((integration) => (
              <Table.Tr key={integration.id}>
                <Table.Td>{integration.name}</Table.Td>
                <Table.Td>
                  {integration.kind}
                  {integration.kind === "folder" && typeof integration.config.path === "string" && (
                    <Text size="xs" c="dimmed">
                      {integration.config.path}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{integration.conversations.toLocaleString()}</Table.Td>
                <Table.Td>{formatTime(integration.created_at)}</Table.Td>
                <Table.Td>
                  <Button size="compact-sm" variant="light" onClick={() => setSelected(integration.id)} aria-label={`Syncs of ${integration.name}`}>
                    Syncs
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {chosen && <SyncHistory key={chosen.id} integration={chosen} canEdit={canEdit} />}
      {canEdit && (
        <NewIntegrationForm
          onCreated={(created) => {
            if (created.token) setToken(created);
            setSelected(created.id);
            refresh();
          }}
        />
      )}
      <Modal opened={token !== null} onClose={() => setToken(null)} title="Push token" size="lg">
        {token && (
          <Stack gap="sm">
            <Text size="sm">
              {token.name} accepts batches at <Code>POST /api/integrations/{token.id}/sync</Code> with this token as{" "}
              <Code>Authorization: Bearer …</Code>. It is shown only now: copy it before closing.
            </Text>
            <Code block data-testid="push-token">
              {token.token}
            </Code>
            <Group justify="flex-end">
              <Button onClick={() => setToken(null)}>I have copied it</Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
