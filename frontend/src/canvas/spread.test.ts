import { describe, expect, it } from "vitest";
import { spreadApart, type Box } from "./spread";

const GAP = 16;

function apart(boxes: Box[], ys: Record<string, number>): boolean {
  const moved = boxes.map((box) => ({ ...box, y: ys[box.id] }));
  return moved.every((a, i) =>
    moved.slice(i + 1).every((b) => {
      const side = a.x < b.x + b.width && b.x < a.x + a.width;
      const clear = a.y + a.height + GAP <= b.y || b.y + b.height + GAP <= a.y;
      return !side || clear;
    }),
  );
}

describe("spreadApart", () => {
  it("moves the lower of two touching boxes below the upper one", () => {
    const boxes = [
      { id: "alert", x: 1500, y: -65, width: 220, height: 120 },
      { id: "export", x: 1500, y: 65, width: 220, height: 120 },
      { id: "split", x: 1200, y: 0, width: 220, height: 110 },
    ];
    expect(spreadApart(boxes, GAP)).toEqual({ alert: -65, split: 0, export: -65 + 120 + GAP });
  });

  it("leaves boxes that are already apart where they are", () => {
    const boxes = [
      { id: "a", x: 0, y: 0, width: 100, height: 50 },
      { id: "b", x: 0, y: 200, width: 100, height: 50 },
      { id: "c", x: 300, y: 10, width: 100, height: 50 },
    ];
    expect(spreadApart(boxes, GAP)).toEqual({ a: 0, b: 200, c: 10 });
  });

  it("never leaves an overlap and never moves a box up or sideways (random boxes)", () => {
    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const boxes = Array.from({ length: 1 + random(25) }, (_, i) => ({
        id: `n${i}`,
        x: random(6) * 150,
        y: random(800) - 400,
        width: 100 + random(150),
        height: 40 + random(120),
      }));
      const ys = spreadApart(boxes, GAP);
      expect(apart(boxes, ys)).toBe(true);
      for (const box of boxes) expect(ys[box.id]).toBeGreaterThanOrEqual(box.y);
      expect(Object.keys(ys).sort()).toEqual(boxes.map((box) => box.id).sort());
    }
  });
});
