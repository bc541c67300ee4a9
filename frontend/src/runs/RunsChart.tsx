// Credits, conversations and runtime of each run as bars, one chart each on its own scale: a run that cost, took
// in or lasted far more than the others stands out, and one run or two read as plainly as twenty (a line between
// two points is only a diagonal).
import { useMemo } from "react";
import { BarChart } from "@mantine/charts";
import "@mantine/charts/styles.css";
import { Card, SimpleGrid, Text } from "@mantine/core";
import type { RunSummary } from "../client/runs";
import { runSeries, type RunPoint } from "./chart";

const FIGURES: { key: keyof RunPoint & string; title: string; color: string }[] = [
  { key: "credits", title: "Credits used", color: "red.6" },
  { key: "conversations", title: "Conversations processed", color: "teal.6" },
  { key: "runtime", title: "Runtime (s)", color: "blue.6" },
];

export function RunsChart({ runs, includeTests }: { runs: RunSummary[]; includeTests: boolean }) {
  const data = useMemo(() => runSeries(runs, { includeTests }), [runs, includeTests]);
  if (data.length === 0) return null;
  return (
    <Card withBorder padding="sm" radius="md" aria-label="Credits, conversations and runtime per run">
      <SimpleGrid cols={{ base: 1, md: 3 }} spacing="md">
        {FIGURES.map((figure) => (
          <div key={figure.key} aria-label={`${figure.title} per run`} data-testid={`runs-chart-${figure.key}`}>
            <Text size="sm" fw={600} mb="xs">
              {figure.title} per run
            </Text>
            <BarChart
              h={180}
              data={data}
              dataKey="run"
              withBarValueLabel
              maxBarWidth={48}
              series={[{ name: figure.key, label: figure.title, color: figure.color }]}
            />
          </div>
        ))}
      </SimpleGrid>
    </Card>
  );
}
