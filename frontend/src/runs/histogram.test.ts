import { describe, expect, it } from "vitest";
import type { Histogram } from "../client/runs";
import { binLabel, histogramBars, histogramTotal, thresholdX } from "./histogram";

function seeded(start: number) {
  let seed = start;
  return (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
}

function randomHistogram(random: (n: number) => number): Histogram {
  const bins = 1 + random(20);
  const low = random(3) === 0 ? -1 : 0;
  const high = low === -1 ? 1 : 100;
  const edges = Array.from({ length: bins + 1 }, (_, i) => low + ((high - low) * i) / bins);
  return { edges, counts: Array.from({ length: bins }, () => (random(4) === 0 ? 0 : random(500))), missing: random(5) };
}

describe("histogramBars", () => {
  it("tiles the width, fills the height with the tallest and keeps counts in proportion (random histograms)", () => {
    const random = seeded(7);
    for (let round = 0; round < 300; round++) {
      const histogram = randomHistogram(random);
      const width = 100 + random(600);
      const height = 50 + random(300);
      const bars = histogramBars(histogram, width, height, 0);
      expect(bars.map((bar) => bar.count)).toEqual(histogram.counts);
      expect(bars.reduce((sum, bar) => sum + bar.width, 0)).toBeCloseTo(width, 6);
      for (let i = 1; i < bars.length; i++) expect(bars[i].x).toBeCloseTo(bars[i - 1].x + bars[i - 1].width, 6);
      const tallest = Math.max(...histogram.counts);
      for (const bar of bars) {
        expect(bar.y + bar.height).toBeCloseTo(height, 6);
        expect(bar.height).toBeCloseTo(tallest > 0 ? (bar.count / tallest) * height : 0, 6);
      }
      if (tallest > 0) expect(Math.max(...bars.map((bar) => bar.height))).toBeCloseTo(height, 6);
      expect(histogramTotal(histogram)).toBe(histogram.counts.reduce((a, b) => a + b, 0) + histogram.missing);
    }
  });

  it("labels each bar with its bin's range", () => {
    const bars = histogramBars({ edges: [0, 50, 100], counts: [3, 1], missing: 0 }, 200, 100);
    expect(bars.map((bar) => bar.label)).toEqual(["0–50", "50–100"]);
    expect(binLabel([-1, -0.8], 0)).toBe("-1–-0.8");
  });
});

describe("thresholdX", () => {
  it("puts a threshold where its value lies between the edges, in order, within the chart (random values)", () => {
    const random = seeded(3);
    for (let round = 0; round < 300; round++) {
      const histogram = randomHistogram(random);
      const width = 100 + random(600);
      const bars = histogramBars(histogram, width, 100, 0);
      histogram.edges.slice(0, -1).forEach((edge, index) => expect(thresholdX(edge, histogram.edges, width)).toBeCloseTo(bars[index].x, 6));
      const a = histogram.edges[0] - 1 + random(1000) / 7;
      const b = a + random(50) / 3;
      const [xa, xb] = [thresholdX(a, histogram.edges, width), thresholdX(b, histogram.edges, width)];
      expect(xa).toBeLessThanOrEqual(xb);
      for (const x of [xa, xb]) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(width);
      }
    }
  });

  it("puts score < 70 seven tenths of the way across 0–100", () => {
    expect(thresholdX(70, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 500)).toBeCloseTo(350, 6);
  });
});
