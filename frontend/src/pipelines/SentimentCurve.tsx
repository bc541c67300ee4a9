// Each turn's sentiment over the conversation (seconds for a call, turn numbers for a chat), agent and customer.
import { useMemo } from "react";
import { LineChart } from "@mantine/charts";
import "@mantine/charts/styles.css";
import { Paper, Text } from "@mantine/core";
import type { TriedTurn } from "../client/pipelines";
import { sentimentPoints } from "./tryResult";

export function SentimentCurve({ turns }: { turns: TriedTurn[] }) {
  const data = useMemo(() => sentimentPoints(turns), [turns]);
  return (
    <Paper withBorder radius="md" p="sm" aria-label="Sentiment curve">
      <Text fw={600} size="sm" mb="xs">
        Sentiment curve
      </Text>
      {data.length === 0 ? (
        <Text size="sm" c="dimmed">
          No turn sentiment (the sentiment stage is off or the conversation has no turns).
        </Text>
      ) : (
        <LineChart
          h={220}
          data={data}
          dataKey="label"
          yAxisProps={{ domain: [-1, 1] }}
          referenceLines={[{ y: 0, color: "gray.5" }]}
          withLegend
          connectNulls
          series={[
            { name: "agent", label: "Agent", color: "blue.6" },
            { name: "customer", label: "Customer", color: "grape.6" },
          ]}
        />
      )}
    </Paper>
  );
}
