// A pipeline's versions, newest first; opening one shows its definition read-only.
import { Badge, Button, Table, Text } from "@mantine/core";
import type { PipelineVersionSummary } from "../client/pipelines";

function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function VersionsTable({
  versions,
  current,
  onOpen,
}: {
  versions: PipelineVersionSummary[];
  current: number;
  onOpen: (version: number) => void;
}) {
  const sorted = [...versions].sort((a, b) => b.number - a.number);
  return (
    <Table aria-label="Versions" highlightOnHover>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Version</Table.Th>
          <Table.Th>Created</Table.Th>
          <Table.Th>By</Table.Th>
          <Table.Th />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {sorted.map((version) => (
          <Table.Tr key={version.number}>
            <Table.Td>
              v{version.number}{" "}
              {version.number === current && (
                <Badge size="sm" variant="light" tt="none">
                  Current
                </Badge>
              )}
            </Table.Td>
            <Table.Td>{when(version.created_at)}</Table.Td>
            <Table.Td>{version.created_by ?? "—"}</Table.Td>
            <Table.Td>
              <Button size="xs" variant="default" onClick={() => onOpen(version.number)}>
                {version.number === current ? "Open" : `View version ${version.number}`}
              </Button>
            </Table.Td>
          </Table.Tr>
        ))}
        {sorted.length === 0 && (
          <Table.Tr>
            <Table.Td colSpan={4}>
              <Text c="dimmed">No versions</Text>
            </Table.Td>
          </Table.Tr>
        )}
      </Table.Tbody>
    </Table>
  );
}
