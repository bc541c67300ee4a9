// The audit log (/audit): who published, paused, resumed, set a version active, changed settings or sent again
// what, and when — across the workflows you may see, newest first, narrowed by workflow, action, who and when.
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { Alert, Anchor, Badge, Button, Center, Group, Loader, Pagination, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { workflows } from "../client";
import { auditLog, type AuditListing } from "../client/audit";
import { problemMessage } from "../client/problem";
import { formatTime } from "../runs/format";
import { NO_FILTERS, auditQuery, detailText, type AuditFilters } from "./filters";

const PAGE = 50;

export function AuditPage() {
  const [filters, setFilters] = useState<AuditFilters>(NO_FILTERS);
  const [page, setPage] = useState(1);
  const [listing, setListing] = useState<AuditListing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [choices, setChoices] = useState<{ value: string; label: string }[]>([]);

  useEffect(() => {
    const controller = new AbortController();
    workflows
      .list({ limit: 200 }, controller.signal)
      .then((found) => setChoices(found.data.map((workflow) => ({ value: workflow.id, label: workflow.name }))))
      .catch(() => undefined);
    return () => controller.abort();
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    auditLog
      .search(auditQuery(filters, page, PAGE), controller.signal)
      .then((answer) => {
        setListing(answer);
        setError(null);
      })
      .catch((caught: unknown) => {
        if (!controller.signal.aborted) setError(problemMessage(caught));
      });
    return () => controller.abort();
  }, [filters, page]);

  const change = (next: Partial<AuditFilters>) => {
    setFilters((current) => ({ ...current, ...next }));
    setPage(1);
  };
  const pages = listing ? Math.max(1, Math.ceil(listing.count / PAGE)) : 1;

  return (
    <Stack p="lg" gap="md">
      <Title order={1} size="h2">
        Audit log
      </Title>
      <Group gap="sm" align="flex-end" wrap="wrap" role="search" aria-label="Audit log filters">
        <Select
          label="Workflow"
          placeholder="Any workflow"
          data={choices}
          value={filters.workflowId}
          onChange={(value) => change({ workflowId: value })}
          clearable
          searchable
          w={220}
        />
        <Select
          label="Action"
          placeholder="Any action"
          data={listing?.actions ?? []}
          value={filters.action}
          onChange={(value) => change({ action: value })}
          clearable
          w={200}
        />
        <TextInput label="Who" placeholder="Part of an email" value={filters.actor} onChange={(event) => change({ actor: event.currentTarget.value })} w={200} />
        <TextInput label="From" type="date" value={filters.from} onChange={(event) => change({ from: event.currentTarget.value })} w={160} />
        <TextInput label="To" type="date" value={filters.to} onChange={(event) => change({ to: event.currentTarget.value })} w={160} />
        <Button variant="default" onClick={() => change(NO_FILTERS)}>
          Clear filters
        </Button>
      </Group>
      {error && (
        <Alert color="red" title="The audit log could not be loaded">
          {error}
        </Alert>
      )}
      {!listing ? (
        <Center py="xl">
          <Loader />
        </Center>
      ) : listing.data.length === 0 ? (
        <Text c="dimmed">No entries match.</Text>
      ) : (
        <>
          <Text size="sm" c="dimmed" data-testid="audit-count">
            {listing.count} {listing.count === 1 ? "entry" : "entries"}
          </Text>
          <Table striped withTableBorder aria-label="Audit log">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Who</Table.Th>
                <Table.Th>Action</Table.Th>
                <Table.Th>Workflow</Table.Th>
                <Table.Th>Detail</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {listing.data.map((entry) => (
                <Table.Tr key={entry.id} data-testid="audit-row">
                  <Table.Td style={{ whiteSpace: "nowrap" }}>{formatTime(entry.at)}</Table.Td>
                  <Table.Td>{entry.user_email ?? <Text span c="dimmed">RedFlare</Text>}</Table.Td>
                  <Table.Td>
                    <Badge variant="light">{entry.action}</Badge>
                  </Table.Td>
                  <Table.Td>
                    {entry.workflow_id && entry.workflow_name ? (
                      <Anchor component={Link} to={`/workflows/${encodeURIComponent(entry.workflow_id)}`}>
                        {entry.workflow_name}
                      </Anchor>
                    ) : (
                      <Text span c="dimmed">
                        {entry.workflow_id ? "deleted workflow" : "—"}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">{detailText(entry.detail) || "—"}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {pages > 1 && <Pagination total={pages} value={page} onChange={setPage} />}
        </>
      )}
    </Stack>
  );
}
