// The Runs tab: the metrics header, "No Runs yet" before any run, else a chart and the runs table (paged).
// Polls while a run is in progress.
import { useState } from "react";
import { Alert, Center, Group, Loader, Pagination, Stack, Switch, Text, Title } from "@mantine/core";
import { ApiError } from "../client/http";
import { MetricsHeader } from "./MetricsHeader";
import { RunsChart } from "./RunsChart";
import { RunsTable } from "./RunsTable";
import { RUNS_PAGE_SIZE, useRunsOverview } from "./useRunsOverview";

// The guide's words, used when the server sends no empty_state of its own.
const NO_RUNS_TITLE = "No Runs yet";
const NO_RUNS_NOTE = "Your workflow runs will appear here once the workflow has been executed.";

function EmptyRuns({ title, message }: { title: string; message: string }) {
  return (
    <Stack align="center" gap={4} py="xl" data-testid="runs-empty">
      <Title order={4}>{title}</Title>
      <Text c="dimmed">{message}</Text>
    </Stack>
  );
}

export function RunsTab({ workflowId }: { workflowId: string }) {
  const [pageNumber, setPageNumber] = useState(1);
  // Test runs are previews: out of the figures and the chart unless shown (the table always lists them, marked).
  const [includeTests, setIncludeTests] = useState(false);
  const { metrics, page, error, loading } = useRunsOverview(workflowId, pageNumber, includeTests);

  if (loading && !metrics) {
    return (
      <Center py="xl">
        <Loader />
      </Center>
    );
  }
  const pages = page ? Math.max(1, Math.ceil(page.count / RUNS_PAGE_SIZE)) : 1;
  const empty = metrics !== null && metrics.total === 0 && metrics.test_runs === 0;
  return (
    <Stack p="lg" gap="md">
      {error && (
        <Alert color="red" title="The runs could not be loaded">
          {error instanceof ApiError ? (error.detail ?? error.title) : error.message}
        </Alert>
      )}
      {metrics && <MetricsHeader metrics={metrics} />}
      {metrics !== null && metrics.test_runs > 0 && (
        <Switch
          size="sm"
          checked={includeTests}
          onChange={(event) => setIncludeTests(event.currentTarget.checked)}
          label={`Count test runs in the figures and the chart (${metrics.test_runs})`}
        />
      )}
      {empty ? (
        <EmptyRuns title={metrics.empty_state?.title ?? NO_RUNS_TITLE} message={metrics.empty_state?.message ?? NO_RUNS_NOTE} />
      ) : (
        page && (
          <>
            <RunsChart runs={page.data} includeTests={includeTests} />
            <RunsTable workflowId={workflowId} runs={page.data} />
            {pages > 1 && (
              <Group justify="center">
                <Pagination total={pages} value={pageNumber} onChange={setPageNumber} aria-label="Runs pages" />
              </Group>
            )}
          </>
        )
      )}
    </Stack>
  );
}
