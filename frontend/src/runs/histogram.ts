// Geometry of the run page's distribution charts: a histogram's bars in a box, and where a Filter's threshold
// falls on the same axis. Pure, so the rules (the bars tile the width, the tallest fills the height, a threshold
// sits where its value lies between the bin edges) are tested alone.
import type { Histogram } from "../client/runs";

export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
  count: number;
  /** "60–70". */
  label: string;
}

function edgeText(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** The bin's range as text: "60–70", "-0.2–0". */
export function binLabel(edges: number[], index: number): string {
  return `${edgeText(edges[index])}–${edgeText(edges[index + 1])}`;
}

/** One bar per bin, side by side across `width`, heights in proportion to the counts (the tallest is `height`). */
export function histogramBars(histogram: Histogram, width: number, height: number, gap = 2): Bar[] {
  const bins = histogram.counts.length;
  if (bins === 0) return [];
  const step = width / bins;
  const tallest = Math.max(0, ...histogram.counts);
  return histogram.counts.map((count, index) => {
    const barHeight = tallest > 0 ? (count / tallest) * height : 0;
    return {
      x: index * step + gap / 2,
      y: height - barHeight,
      width: Math.max(0, step - gap),
      height: barHeight,
      count,
      label: binLabel(histogram.edges, index),
    };
  });
}

/** Where `value` lies across `width` on the axis the edges span (clamped to it). */
export function thresholdX(value: number, edges: number[], width: number): number {
  const low = edges[0];
  const high = edges[edges.length - 1];
  if (!(high > low)) return 0;
  const share = (value - low) / (high - low);
  return Math.min(width, Math.max(0, share * width));
}

/** How many conversations a histogram counts: its bins and those without the value. */
export function histogramTotal(histogram: Histogram): number {
  return histogram.counts.reduce((sum, count) => sum + count, 0) + histogram.missing;
}
