// The runs list: one row per run (number, status, start, finish, runtime, credits, conversations processed,
// trigger); a row opens the run page.
import { Link, useNavigate } from "react-router";
import { Anchor, Table, Text } from "@mantine/core";
import type { RunSummary } from "../client/runs";
import { formatCredits, formatRuntime, formatTime, triggerLabel } from "./format";
import { StatusWithMarker } from "./RunStatusBadge";

export function runPath(workflowId: string, runId: string): string {
  return `/workflows/${encodeURIComponent(workflowId)}/runs/${encodeURIComponent(runId)}`;
}

export function RunsTable({ workflowId, runs }: { workflowId: string; runs: RunSummary[] }) {
  const navigate = useNavigate();
  return (
    // At 1024 wide the page leaves the table 784 px: below this it scrolls (at 820 the last column was cut off).
    <Table.ScrollContainer minWidth={720}>
      <Table highlightOnHover verticalSpacing="xs" aria-label="Runs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Run</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Trigger</Table.Th>
            <Table.Th>Started</Table.Th>
            <Table.Th>Finished</Table.Th>
            <Table.Th ta="right">Runtime</Table.Th>
            <Table.Th ta="right">Credits used</Table.Th>
            <Table.Th ta="right">Conversations processed</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.map((run) => {
            const path = runPath(workflowId, run.id);
            return (
              <Table.Tr key={run.id} style={{ cursor: "pointer" }} onClick={() => navigate(path)} data-testid={`run-row-${run.number}`}>
                <Table.Td>
                  {/* A real link too: keyboard users and "open in new tab" */}
                  <Anchor component={Link} to={path} onClick={(event) => event.stopPropagation()} fw={600}>
                    Run #{run.number}
                  </Anchor>
                  {run.version !== null && (
                    <Text span size="xs" c="dimmed" ml={6}>
                      v{run.version}
                    </Text>
                  )}
                </Table.Td>
                {/* Never narrower than its badge: a squeezed badge read "COMPL…". */}
                <Table.Td style={{ whiteSpace: "nowrap", minWidth: 120 }}>
                  <StatusWithMarker status={run.status} test={run.test} limitStop={run.limit_stop ?? null} />
                </Table.Td>
                <Table.Td>{triggerLabel(run.trigger_type, run.test)}</Table.Td>
                <Table.Td>{formatTime(run.started_at ?? run.created_at)}</Table.Td>
                <Table.Td>{formatTime(run.finished_at)}</Table.Td>
                <Table.Td ta="right">{formatRuntime(run.runtime_s)}</Table.Td>
                <Table.Td ta="right">{formatCredits(run.credits)}</Table.Td>
                <Table.Td ta="right">{run.conversations_processed}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
