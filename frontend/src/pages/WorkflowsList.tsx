import { useCallback, useEffect, useState } from "react";
import { Link, useNavigate } from "react-router";
import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Center,
  Group,
  Loader,
  Menu,
  Modal,
  Pagination,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { workflows, type Workflow, type WorkflowPage } from "../client";
import { useAuth } from "../auth";
import { problemDetails } from "../client/problem";

const PAGE_SIZE = 25;
export const DELETE_WARNING =
  "Deleting this workflow will delete all of its versions and runs, and any ongoing runs will be cancelled.";

const STATUS_COLOURS: Record<string, string> = {
  Draft: "gray",
  Live: "green",
  Paused: "yellow",
  "Unpublished Changes": "orange",
};

export function StatusBadge({ workflow }: { workflow: Workflow }) {
  return (
    <Badge color={STATUS_COLOURS[workflow.status] ?? "gray"} variant="light" tt="none" data-state={workflow.state}>
      {workflow.status}
    </Badge>
  );
}

function formatWhen(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}


export function WorkflowsListPage() {
  const navigate = useNavigate();
  const { canEdit } = useAuth();
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const [page, setPage] = useState(1);
  const [result, setResult] = useState<WorkflowPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [newName, setNewName] = useState("");
  const [createError, setCreateError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [toDelete, setToDelete] = useState<Workflow | null>(null);
  const [reloadKey, setReloadKey] = useState(0);

  const reload = useCallback(() => setReloadKey((key) => key + 1), []);

  useEffect(() => setPage(1), [debounced]);

  useEffect(() => {
    const controller = new AbortController();
    workflows
      .list({ search: debounced, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }, controller.signal)
      .then((answer) => {
        setResult(answer);
        setError(null);
      })
      .catch((caught: unknown) => {
        if (!controller.signal.aborted) setError(problemDetails(caught));
      });
    return () => controller.abort();
  }, [debounced, page, reloadKey]);

  const openCreate = () => {
    setNewName("");
    setCreateError(null);
    setCreating(true);
  };

  const create = async () => {
    setBusy(true);
    setCreateError(null);
    try {
      const created = await workflows.create({ name: newName.trim() || "Untitled workflow" });
      setCreating(false);
      navigate(`/workflows/${created.id}`);
    } catch (caught) {
      setCreateError(problemDetails(caught));
    } finally {
      setBusy(false);
    }
  };

  const duplicate = async (workflow: Workflow) => {
    try {
      await workflows.duplicate(workflow.id);
      reload();
    } catch (caught) {
      setError(problemDetails(caught));
    }
  };

  const confirmDelete = async () => {
    if (!toDelete) return;
    setBusy(true);
    try {
      await workflows.remove(toDelete.id);
      setToDelete(null);
      reload();
    } catch (caught) {
      setError(problemDetails(caught));
      setToDelete(null);
    } finally {
      setBusy(false);
    }
  };

  const emptyStore = result !== null && result.count === 0 && debounced === "";
  const totalPages = result ? Math.max(1, Math.ceil(result.count / PAGE_SIZE)) : 1;

  return (
    <Stack p="lg" gap="md">
      <Group justify="space-between">
        <Title order={1} size="h2">
          Workflows
        </Title>
        {canEdit && <Button onClick={openCreate}>New Workflow</Button>}
      </Group>

      {error && (
        <Alert color="red" role="alert" withCloseButton onClose={() => setError(null)}>
          {error}
        </Alert>
      )}

      {result === null && !error ? (
        <Center p="xl">
          <Loader />
        </Center>
      ) : emptyStore ? (
        <Paper withBorder p="xl">
          <Stack align="center" gap="sm">
            <Title order={3}>No workflows yet</Title>
            <Text c="dimmed">Automate how your conversations are processed and actioned.</Text>
            {canEdit && <Button onClick={openCreate}>Create workflow</Button>}
          </Stack>
        </Paper>
      ) : (
        <>
          <TextInput
            placeholder="Search workflows"
            aria-label="Search workflows"
            value={search}
            onChange={(event) => setSearch(event.currentTarget.value)}
            maw={360}
          />
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Last run</Table.Th>
                <Table.Th>Updated</Table.Th>
                <Table.Th w={60} aria-label="Actions" />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {result?.data.map((workflow) => (
                <Table.Tr key={workflow.id} data-testid="workflow-row">
                  <Table.Td>
                    <Anchor component={Link} to={`/workflows/${workflow.id}`}>
                      {workflow.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge workflow={workflow} />
                  </Table.Td>
                  <Table.Td>
                    {workflow.last_run ? `#${workflow.last_run.number} ${workflow.last_run.status} · ${formatWhen(workflow.last_run.at)}` : <Text c="dimmed" size="sm">Never</Text>}
                  </Table.Td>
                  <Table.Td>{formatWhen(workflow.updated_at)}</Table.Td>
                  <Table.Td>
                    {canEdit && (
                      <Menu position="bottom-end" withinPortal>
                        <Menu.Target>
                          <ActionIcon variant="subtle" aria-label={`Actions for ${workflow.name}`}>
                            ⋯
                          </ActionIcon>
                        </Menu.Target>
                        <Menu.Dropdown>
                          <Menu.Item onClick={() => void duplicate(workflow)}>Duplicate workflow</Menu.Item>
                          <Menu.Item color="red" onClick={() => setToDelete(workflow)}>
                            Delete workflow
                          </Menu.Item>
                        </Menu.Dropdown>
                      </Menu>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
              {result && result.data.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={5}>
                    <Text c="dimmed" ta="center">
                      No workflows match “{debounced}”.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
          {totalPages > 1 && <Pagination total={totalPages} value={page} onChange={setPage} />}
        </>
      )}

      <Modal opened={creating} onClose={() => setCreating(false)} title="New Workflow">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void create();
          }}
        >
          <Stack>
            {createError && <Alert color="red">{createError}</Alert>}
            <TextInput label="Name" data-autofocus placeholder="Untitled workflow" value={newName} onChange={(e) => setNewName(e.currentTarget.value)} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setCreating(false)}>
                Cancel
              </Button>
              <Button type="submit" loading={busy}>
                Create
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>

      <Modal opened={toDelete !== null} onClose={() => setToDelete(null)} title="Delete workflow">
        <Stack>
          <Text>{DELETE_WARNING}</Text>
          {toDelete && (
            <Text size="sm" c="dimmed">
              {toDelete.name}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setToDelete(null)}>
              Cancel
            </Button>
            <Button color="red" loading={busy} onClick={() => void confirmDelete()}>
              Delete workflow
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
