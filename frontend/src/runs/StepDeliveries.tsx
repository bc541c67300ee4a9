// What a step delivered: the files a Schedule Export stored (with a "Download" link) and the emails it put in
// the outbox (sent, waiting, failed, or held and why); an editor can send a held or failed one again.
import { useState } from "react";
import { Anchor, Badge, Button, Stack, Table, Text } from "@mantine/core";
import { problemMessage } from "../client/problem";
import type { ExportFile, OutboxMessage } from "../client/runs";
import { deliveryNote, sameOrigin } from "./deliveries";
import { formatBytes, formatTime, statusColor, statusLabel } from "./format";

export function StepExports({ exports }: { exports: ExportFile[] }) {
  return (
    <Table withTableBorder fz="sm" verticalSpacing={4} aria-label="Exports">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Export</Table.Th>
          <Table.Th>File type</Table.Th>
          <Table.Th ta="right">Rows</Table.Th>
          <Table.Th ta="right">Size</Table.Th>
          <Table.Th>Created</Table.Th>
          <Table.Th />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {exports.map((file) => (
          <Table.Tr key={file.id}>
            <Table.Td>{file.name}</Table.Td>
            <Table.Td>{file.file_type.toUpperCase()}</Table.Td>
            <Table.Td ta="right">{file.rows}</Table.Td>
            <Table.Td ta="right">{formatBytes(file.bytes)}</Table.Td>
            <Table.Td>{formatTime(file.created_at)}</Table.Td>
            <Table.Td>
              {file.download_url ? (
                <Anchor href={sameOrigin(file.download_url)} download aria-label={`Download ${file.name}`}>
                  Download
                </Anchor>
              ) : (
                <Text size="xs" c="dimmed">
                  no link
                </Text>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** The columns every list of messages shows: To, Subject, Status, Delivery (attempts, reason, when sent). */
export function MessageHeaders() {
  return (
    <>
      <Table.Th>To</Table.Th>
      <Table.Th>Subject</Table.Th>
      <Table.Th>Status</Table.Th>
      <Table.Th>Delivery</Table.Th>
    </>
  );
}

export function MessageCells({ message }: { message: OutboxMessage }) {
  return (
    <>
      <Table.Td>{message.to.join(", ")}</Table.Td>
      <Table.Td>{message.subject}</Table.Td>
      <Table.Td>
        <Badge size="sm" variant="light" color={statusColor(message.status)}>
          {statusLabel(message.status)}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Text size="xs" c={message.status === "failed" ? "red" : "dimmed"}>
          {deliveryNote(message) || "—"}
        </Text>
      </Table.Td>
    </>
  );
}

/** For an editor: how to send a message again, and whether this one may be (held or failed, run not cancelled). */
export interface SendAgain {
  send(messageId: string): Promise<void>;
  offered(message: OutboxMessage): boolean;
}

export function StepMessages({ messages, sendAgain }: { messages: OutboxMessage[]; sendAgain?: SendAgain }) {
  return (
    <Table withTableBorder fz="sm" verticalSpacing={4} aria-label="Outbox messages">
      <Table.Thead>
        <Table.Tr>
          <MessageHeaders />
          {sendAgain && <Table.Th />}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {messages.map((message) => (
          <Table.Tr key={message.id} data-testid={`message-${message.id}`}>
            <MessageCells message={message} />
            {sendAgain && <Table.Td>{sendAgain.offered(message) && <SendNow message={message} send={sendAgain.send} />}</Table.Td>}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function SendNow({ message, send }: { message: OutboxMessage; send: SendAgain["send"] }) {
  const [sending, setSending] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const onClick = async () => {
    setSending(true);
    setRefusal(null);
    try {
      await send(message.id);
    } catch (error) {
      setRefusal(problemMessage(error));
    } finally {
      setSending(false);
    }
  };
  return (
    <Stack gap={2} align="flex-start">
      <Button size="compact-xs" variant="light" loading={sending} onClick={() => void onClick()} aria-label={`Send now: ${message.subject}`}>
        Send now
      </Button>
      {refusal && (
        <Text size="xs" c="red" role="alert">
          {refusal}
        </Text>
      )}
    </Stack>
  );
}
