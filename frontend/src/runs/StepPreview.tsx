// A step's output preview: the first rows of each output port (GET /runs/{id} keeps 50 per port) as a table.
import { useState } from "react";
import { Button, Stack, Table, Tabs, Text } from "@mantine/core";
import { cellText, previewColumns } from "./preview";

const FIRST_ROWS = 10;
function RowsTable({ rows, label }: { rows: Array<Record<string, unknown>>; label: string }) {
  const [all, setAll] = useState(false);
  if (rows.length === 0) return <Text size="sm" c="dimmed">No rows.</Text>;
  const columns = previewColumns(rows);
  const shown = all ? rows : rows.slice(0, FIRST_ROWS);
  return (
    <Stack gap={4}>
      <Table.ScrollContainer minWidth={Math.min(columns.length * 120, 2400)}>
        <Table striped withTableBorder fz="xs" verticalSpacing={4} aria-label={label}>
          <Table.Thead>
            <Table.Tr>
              {columns.map((column) => (
                <Table.Th key={column}>{column}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((row, index) => (
              <Table.Tr key={index}>
                {columns.map((column) => (
                  <Table.Td key={column} style={{ whiteSpace: "nowrap" }}>
                    {cellText(row[column])}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {rows.length > FIRST_ROWS && (
        <Button variant="subtle" size="compact-xs" onClick={() => setAll((shownAll) => !shownAll)} w="fit-content">
          {all ? `Show the first ${FIRST_ROWS} rows` : `Show all ${rows.length} preview rows`}
        </Button>
      )}
    </Stack>
  );
}

export function StepPreview({ stepId, preview }: { stepId: string; preview: Record<string, Array<Record<string, unknown>>> }) {
  const ports = Object.keys(preview);
  if (ports.length === 0) return null;
  if (ports.length === 1) return <RowsTable rows={preview[ports[0]]} label={`Output preview of ${stepId}`} />;
  return (
    <Tabs defaultValue={ports[0]} variant="outline">
      <Tabs.List>
        {ports.map((port) => (
          <Tabs.Tab key={port} value={port}>
            {port} ({preview[port].length})
          </Tabs.Tab>
        ))}
      </Tabs.List>
      {ports.map((port) => (
        <Tabs.Panel key={port} value={port} pt="xs">
          <RowsTable rows={preview[port]} label={`Output preview of ${stepId}, port ${port}`} />
        </Tabs.Panel>
      ))}
    </Tabs>
  );
}
