import { describe, expect, it } from "vitest";
import { FIT, READABLE_ZOOM, onScreen, readableFit, reveal, type Rect, type Size, type Viewport } from "./view";
import { random } from "../testing/seeded";

const within = (inner: Rect, size: Size, slack = 0.001) =>
  inner.x >= -slack && inner.y >= -slack && inner.x + inner.width <= size.width + slack && inner.y + inner.height <= size.height + slack;

describe("readableFit", () => {
  it("shows a small workflow whole, never above 100%", () => {
    const view = readableFit({ x: 0, y: 0, width: 240, height: 80 }, { width: 1000, height: 600 });
    expect(view.zoom).toBe(1);
    expect(onScreen({ x: 0, y: 0, width: 240, height: 80 }, view)).toEqual({ x: 380, y: 260, width: 240, height: 80 });
  });

  it("stops at the readable zoom for eight steps in a row and shows where the workflow starts", () => {
    // Eight steps 300 px apart in a 900 px wide canvas (1280×720 with the side panel open): React Flow's own fit
    // took them to 0.33, 12 px text at 4 px.
    const bounds = { x: 0, y: -40, width: 8 * 300 + 240, height: 120 };
    const trigger = { x: 0, y: 0, width: 240, height: 80 };
    const view = readableFit(bounds, { width: 900, height: 560 }, { ...FIT, anchor: trigger });
    expect(view.zoom).toBe(READABLE_ZOOM);
    const shown = onScreen(trigger, view);
    expect(shown.x).toBe(FIT.padding);
    expect(within(shown, { width: 900, height: 560 })).toBe(true);
  });

  it("property: zoom within bounds; all in view when it fits, else the anchor in view and no blank start", () => {
    const next = random(7);
    for (let i = 0; i < 2000; i++) {
      const bounds = { x: (next() - 0.5) * 4000, y: (next() - 0.5) * 4000, width: 50 + next() * 8000, height: 50 + next() * 5000 };
      const size = { width: 300 + next() * 1500, height: 300 + next() * 900 };
      const anchor = { x: bounds.x, y: bounds.y + next() * (bounds.height - 50), width: Math.min(240, bounds.width), height: 50 };
      const view: Viewport = readableFit(bounds, size, { ...FIT, anchor });
      expect(view.zoom).toBeGreaterThanOrEqual(FIT.minZoom);
      expect(view.zoom).toBeLessThanOrEqual(FIT.maxZoom);
      const shown = onScreen(bounds, view);
      const fitsAcross = bounds.width * view.zoom <= size.width - 2 * FIT.padding;
      const fitsDown = bounds.height * view.zoom <= size.height - 2 * FIT.padding;
      if (fitsAcross && fitsDown) expect(within(shown, size)).toBe(true);
      if (!fitsAcross) expect(shown.x).toBeCloseTo(FIT.padding, 6); // the start (left) shows
      expect(within(onScreen(anchor, view), size)).toBe(true);
    }
  });
});

describe("reveal", () => {
  const size = { width: 800, height: 500 };
  const still: Viewport = { x: 0, y: 0, zoom: 1 };

  it("leaves a node in view alone", () => {
    expect(reveal({ x: 100, y: 100, width: 240, height: 90 }, still, size)).toBeNull();
  });

  it("pans a node hidden beyond the right edge (where the side panel opened) into view", () => {
    const panned = reveal({ x: 700, y: 100, width: 240, height: 90 }, still, size);
    expect(panned).toEqual({ x: 800 - 24 - 940, y: 0, zoom: 1 });
  });

  it("property: after the pan the node shows whole with the margin, at the same zoom", () => {
    const next = random(11);
    for (let i = 0; i < 2000; i++) {
      const viewport = { x: (next() - 0.5) * 3000, y: (next() - 0.5) * 3000, zoom: 0.3 + next() * 1.7 };
      const node = { x: (next() - 0.5) * 5000, y: (next() - 0.5) * 5000, width: 240, height: 60 + next() * 200 };
      const panned = reveal(node, viewport, size) ?? viewport;
      expect(panned.zoom).toBe(viewport.zoom);
      const shown = onScreen(node, panned);
      if (shown.width + 48 <= size.width && shown.height + 48 <= size.height) {
        expect(within({ x: shown.x - 24, y: shown.y - 24, width: shown.width + 48, height: shown.height + 48 }, size)).toBe(true);
      } else {
        expect(shown.x <= 24.001 || shown.y <= 24.001).toBe(true);
      }
    }
  });
});
