// What a step delivered: the files a Schedule Export stored (with a "Download" link) and the emails it put in
// the outbox (sent, waiting, failed, or held and why).
import { Anchor, Badge, Table, Text } from "@mantine/core";
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

export function StepMessages({ messages }: { messages: OutboxMessage[] }) {
  return (
    <Table withTableBorder fz="sm" verticalSpacing={4} aria-label="Outbox messages">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>To</Table.Th>
          <Table.Th>Subject</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Delivery</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {messages.map((message) => (
          <Table.Tr key={message.id}>
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
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
