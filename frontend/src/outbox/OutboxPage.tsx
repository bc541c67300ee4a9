// The outbox (/outbox): every email the steps of the workflows you may see produced, newest first — sent,
// waiting, failed or held and why — narrowed by status, with "Send now" for a held or failed one and "Send held
// emails" for all those held while no SMTP server was configured (editors).
import { useCallback, useEffect, useState } from "react";
import { Link } from "react-router";
import { Alert, Anchor, Button, Center, Group, Loader, Pagination, SegmentedControl, Stack, Table, Text, Title } from "@mantine/core";
import { useAuth } from "../auth";
import { problemMessage } from "../client/problem";
import { runs, type ListedMessage, type MessageStatus, type OutboxListing } from "../client/runs";
import { showSending } from "../runs/deliveries";
import { formatTime } from "../runs/format";
import { MessageCells, MessageHeaders, SendNow } from "../runs/StepDeliveries";

const PAGE = 50;
const FILTERS: { label: string; value: MessageStatus | "all" }[] = [
  { label: "All", value: "all" },
  { label: "Held", value: "held" },
  { label: "Failed", value: "failed" },
  { label: "Waiting", value: "pending" },
  { label: "Sent", value: "sent" },
];

interface Bulk {
  busy: boolean;
  said: string | null;
  failed: boolean;
}

export function queuedText(queued: number): string {
  if (queued === 0) return "No email was waiting for an SMTP server.";
  return `${queued} held ${queued === 1 ? "email" : "emails"} queued to be sent.`;
}

function emptyText(filter: MessageStatus | "all"): string {
  const label = FILTERS.find((each) => each.value === filter)?.label.toLowerCase();
  return filter === "all" || !label ? "No emails yet." : `No ${label} emails.`;
}

export function OutboxPage() {
  const { canEdit } = useAuth();
  const [filter, setFilter] = useState<MessageStatus | "all">("all");
  const [page, setPage] = useState(1);
  const [listing, setListing] = useState<OutboxListing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [epoch, setEpoch] = useState(0);
  const refresh = useCallback(() => setEpoch((current) => current + 1), []);

  useEffect(() => {
    const controller = new AbortController();
    runs
      .outboxAll({ status: filter === "all" ? null : filter, limit: PAGE, offset: (page - 1) * PAGE }, controller.signal)
      .then((answer) => {
        setListing(answer);
        setError(null);
      })
      .catch((caught: unknown) => {
        if (!controller.signal.aborted) setError(problemMessage(caught));
      });
    return () => controller.abort();
  }, [filter, page, epoch]);

  const send = useCallback(
    async (messageId: string) => {
      await runs.sendAgain(messageId);
      await showSending(refresh);
    },
    [refresh],
  );

  // "Send held emails": what it did, in a line under the header (or why it could not, e.g. still no SMTP server).
  const [bulk, setBulk] = useState<Bulk>({ busy: false, said: null, failed: false });
  const sendHeld = async () => {
    setBulk({ busy: true, said: null, failed: false });
    try {
      const { queued } = await runs.sendHeld();
      setBulk({ busy: false, said: queuedText(queued), failed: false });
      await showSending(refresh);
    } catch (caught) {
      setBulk({ busy: false, said: problemMessage(caught), failed: true });
    }
  };

  const pages = listing ? Math.max(1, Math.ceil(listing.count / PAGE)) : 1;
  return (
    <Stack p="lg" gap="md">
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={1} size="h2">
            Outbox
          </Title>
          <Text size="sm" c="dimmed">
            Every email your workflows' steps produced: sent, waiting, failed, or held and why.
          </Text>
        </Stack>
        <Group gap="sm" align="flex-end">
          {canEdit && (
            <Button variant="light" loading={bulk.busy} onClick={() => void sendHeld()} title="Send every email held because no SMTP server was configured">
              Send held emails
            </Button>
          )}
          <SegmentedControl
            aria-label="Show messages"
            data={FILTERS}
            value={filter}
            onChange={(value) => {
              setFilter(value as MessageStatus | "all");
              setPage(1);
            }}
          />
        </Group>
      </Group>
      {bulk.said && (
        <Text size="sm" c={bulk.failed ? "red" : undefined} role={bulk.failed ? "alert" : "status"}>
          {bulk.said}
        </Text>
      )}
      {error && (
        <Alert color="red" title="The outbox could not be loaded">
          {error}
        </Alert>
      )}
      {!listing && !error ? (
        <Center py="xl">
          <Loader />
        </Center>
      ) : listing && listing.data.length === 0 ? (
        <Text c="dimmed">{emptyText(filter)}</Text>
      ) : (
        listing && <OutboxTable messages={listing.data} send={canEdit ? send : undefined} />
      )}
      {pages > 1 && <Pagination total={pages} value={page} onChange={setPage} aria-label="Outbox pages" />}
    </Stack>
  );
}

function OutboxTable({ messages, send }: { messages: ListedMessage[]; send?: (messageId: string) => Promise<void> }) {
  return (
    <Table withTableBorder striped fz="sm" verticalSpacing={6} aria-label="Outbox">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Created</Table.Th>
          <Table.Th>Workflow</Table.Th>
          <Table.Th>Run</Table.Th>
          <MessageHeaders />
          {send && <Table.Th />}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {messages.map((message) => {
          const workflow = `/workflows/${encodeURIComponent(message.workflow_id)}`;
          return (
            <Table.Tr key={message.id} data-testid={`outbox-${message.id}`}>
              <Table.Td>{formatTime(message.created_at)}</Table.Td>
              <Table.Td>
                <Anchor component={Link} to={workflow} size="sm">
                  {message.workflow_name ?? message.workflow_id}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <Anchor component={Link} to={`${workflow}/runs/${encodeURIComponent(message.run_id)}`} size="sm">
                  Run #{message.run_number ?? "?"}
                </Anchor>
              </Table.Td>
              <MessageCells message={message} />
              {send && (
                <Table.Td>{message.sendable && <SendNow message={message} send={send} />}</Table.Td>
              )}
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
