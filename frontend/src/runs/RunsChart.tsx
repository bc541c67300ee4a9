// Credits and runtime per run over time: a glance shows a run that cost or took far more than the others.
import { useMemo } from "react";
import { LineChart } from "@mantine/charts";
import "@mantine/charts/styles.css";
import { Card, Text } from "@mantine/core";
import type { RunSummary } from "../client/runs";
import { runSeries } from "./chart";

export function RunsChart({ runs, includeTests }: { runs: RunSummary[]; includeTests: boolean }) {
  const data = useMemo(() => runSeries(runs, { includeTests }), [runs, includeTests]);
  if (data.length < 2) return null; // one point is no trend; the table says it all
  return (
    <Card withBorder padding="sm" radius="md" aria-label="Credits and runtime per run">
      <Text size="sm" fw={600} mb="xs">
        Credits and runtime per run
      </Text>
      <LineChart
        h={220}
        data={data}
        dataKey="run"
        withLegend
        withRightYAxis
        yAxisLabel="Credits"
        rightYAxisLabel="Runtime (s)"
        connectNulls={false}
        series={[
          { name: "credits", label: "Credits used", color: "red.6" },
          { name: "runtime", label: "Runtime (s)", color: "blue.6", yAxisId: "right" },
        ]}
      />
    </Card>
  );
}
