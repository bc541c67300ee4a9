// A step's output preview: the first rows of each output port (GET /runs/{id} keeps 50 per port) as a table.
import { useState } from "react";
import { Button, Stack, Table, Tabs, Text, Tooltip } from "@mantine/core";
import { cellText, criterionCell, previewColumns } from "./preview";

/** Conversation id → criterion name → why it passed, failed or did not apply. */
export type Reasons = Record<string, Record<string, string>>;

function Cell({ column, row, reasons }: { column: string; row: Record<string, unknown>; reasons?: Reasons }) {
  const verdict = criterionCell(column, row, reasons);
  if (!verdict) return <>{cellText(row[column])}</>;
  if (!verdict.reason) return <>{verdict.text}</>;
  // Focusable, so the reason shows for the keyboard too; its text is the cell's description for a screen reader.
  return (
    <Tooltip label={verdict.reason} multiline w={340} withArrow events={{ hover: true, focus: true, touch: true }}>
      <Text span size="xs" tabIndex={0} aria-description={verdict.reason} data-reason={verdict.reason} td="underline dotted">
        {verdict.text}
      </Text>
    </Tooltip>
  );
}

const FIRST_ROWS = 10;
function RowsTable({ rows, label, reasons }: { rows: Array<Record<string, unknown>>; label: string; reasons?: Reasons }) {
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
                    <Cell column={column} row={row} reasons={reasons} />
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

export function StepPreview({
  stepId,
  preview,
  reasons,
}: {
  stepId: string;
  preview: Record<string, Array<Record<string, unknown>>>;
  /** For a Process Conversations step: why each verdict, shown on its criterion cells. */
  reasons?: Reasons;
}) {
  const ports = Object.keys(preview);
  if (ports.length === 0) return null;
  if (ports.length === 1) return <RowsTable rows={preview[ports[0]]} label={`Output preview of ${stepId}`} reasons={reasons} />;
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
          <RowsTable rows={preview[port]} label={`Output preview of ${stepId}, port ${port}`} reasons={reasons} />
        </Tabs.Panel>
      ))}
    </Tabs>
  );
}
