// The run's processed conversations at a glance: how their scores and sentiments spread, with each Filter's
// threshold drawn where it cuts, so "score < 70" shows how many conversations it would take. Fetched when the
// run's processed count moves (batch by batch) and once it ends.
import { useEffect, useState } from "react";
import { Card, Group, SimpleGrid, Text } from "@mantine/core";
import { runs as runsApi, type Histogram, type Run, type RunDistribution, type Threshold } from "../client/runs";
import { histogramBars, thresholdX } from "./histogram";

const WIDTH = 420;
const HEIGHT = 140;
const PAD = { left: 8, right: 8, top: 18, bottom: 34 };

function thresholdText(threshold: Threshold): string {
  const bound = threshold.operator === "between" || threshold.operator === "notBetween" ? `${threshold.operator} bound` : threshold.operator;
  return `${threshold.step_id ?? "filter"}: ${threshold.field} ${bound} ${threshold.value}`;
}

function HistogramChart({
  name,
  title,
  histogram,
  thresholds,
}: {
  name: "score" | "sentiment";
  title: string;
  histogram: Histogram;
  thresholds: Threshold[];
}) {
  const bars = histogramBars(histogram, WIDTH, HEIGHT);
  const total = histogram.counts.reduce((sum, count) => sum + count, 0);
  return (
    <Card withBorder padding="sm" radius="md" data-testid={`distribution-${name}`}>
      <Group justify="space-between" mb={4}>
        <Text size="sm" fw={600}>
          {title}
        </Text>
        <Text size="xs" c="dimmed">
          {total} conversations{histogram.missing > 0 ? ` · ${histogram.missing} without a ${name}` : ""}
        </Text>
      </Group>
      <svg
        viewBox={`0 0 ${WIDTH + PAD.left + PAD.right} ${HEIGHT + PAD.top + PAD.bottom}`}
        width="100%"
        role="img"
        aria-label={`${title}: ${bars.map((bar) => `${bar.label}: ${bar.count}`).join(", ")}`}
      >
        <g transform={`translate(${PAD.left},${PAD.top})`}>
          <line x1={0} x2={WIDTH} y1={HEIGHT} y2={HEIGHT} stroke="var(--mantine-color-gray-5)" />
          {bars.map((bar) => (
            <g key={bar.label} data-testid={`${name}-bar`} data-count={bar.count} data-bin={bar.label}>
              <rect x={bar.x} y={bar.y} width={bar.width} height={bar.height} fill="var(--mantine-color-blue-5)" rx={2}>
                <title>{`${bar.label}: ${bar.count}`}</title>
              </rect>
              {bar.count > 0 && (
                <text x={bar.x + bar.width / 2} y={bar.y - 3} fontSize={10} textAnchor="middle" fill="var(--mantine-color-gray-7)">
                  {bar.count}
                </text>
              )}
            </g>
          ))}
          {histogram.edges.map((edge, index) =>
            index % 2 === 0 || index === histogram.edges.length - 1 ? (
              <text key={edge} x={thresholdX(edge, histogram.edges, WIDTH)} y={HEIGHT + 12} fontSize={10} textAnchor="middle" fill="var(--mantine-color-gray-6)">
                {edge}
              </text>
            ) : null,
          )}
          {thresholds.map((threshold, index) => {
            const x = thresholdX(threshold.value, histogram.edges, WIDTH);
            return (
              <g key={`${threshold.step_id}-${index}`} data-testid={`${name}-threshold`} data-value={threshold.value}>
                <line x1={x} x2={x} y1={-PAD.top + 4} y2={HEIGHT} stroke="var(--mantine-color-red-7)" strokeWidth={2} strokeDasharray="5 3" />
                <text x={Math.min(WIDTH - 2, x + 3)} y={HEIGHT + 26} fontSize={10} textAnchor={x > WIDTH * 0.7 ? "end" : "start"} fill="var(--mantine-color-red-8)">
                  {thresholdText(threshold)}
                </text>
              </g>
            );
          })}
        </g>
      </svg>
    </Card>
  );
}

export function RunDistributionChart({ run }: { run: Run }) {
  const [found, setFound] = useState<RunDistribution | null>(null);
  const processed = run.conversations_processed;
  const { id, status } = run;

  useEffect(() => {
    if (processed === 0) {
      setFound(null);
      return;
    }
    const controller = new AbortController();
    runsApi.distribution(id, controller.signal).then(setFound, () => undefined);
    return () => controller.abort();
  }, [id, status, processed]);

  if (!found || found.processed === 0) return null;
  const of = (field: "score" | "sentiment") => found.thresholds.filter((threshold) => threshold.field === field);
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm" aria-label="Distribution of the processed conversations">
      <HistogramChart name="score" title="Score of the processed conversations" histogram={found.score} thresholds={of("score")} />
      <HistogramChart
        name="sentiment"
        title="Sentiment of the processed conversations"
        histogram={found.sentiment}
        thresholds={of("sentiment")}
      />
    </SimpleGrid>
  );
}
