// The conversation's measures: duration, turns, talk ratio, silences, interruptions, agent response time.
import { Paper, Table, Text } from "@mantine/core";
import type { Measures } from "../client/pipelines";
import { measureRows } from "./tryResult";

export function MeasuresTable({ measures }: { measures: Partial<Measures> }) {
  return (
    <Paper withBorder radius="md" p="sm" aria-label="Measures">
      <Text fw={600} size="sm" mb="xs">
        Measures
      </Text>
      <Table>
        <Table.Tbody>
          {measureRows(measures ?? {}).map((row) => (
            <Table.Tr key={row.key}>
              <Table.Td>{row.label}</Table.Td>
              <Table.Td ta="right">{row.value}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
