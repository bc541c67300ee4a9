// Moves boxes down just enough that none overlaps another: the run canvas's nodes are taller than the editor's
// (status, counts, progress, an error), so the editor's places can make them touch. Pure, for the run canvas.

export interface Box {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

function overlaps(a: Box, b: Box, gap: number): boolean {
  const side = a.x < b.x + b.width && b.x < a.x + a.width;
  const above = a.y < b.y + b.height + gap && b.y < a.y + a.height + gap;
  return side && above;
}

/**
 * New y for each box (x never changes), taken top to bottom: a box that would overlap one already placed, or come
 * within `gap` of it, moves below it. Boxes already apart keep their places; of two overlapping boxes the upper
 * stays above.
 * O(n²) in the boxes: a run canvas has at most a few hundred.
 */
export function spreadApart(boxes: readonly Box[], gap: number): Record<string, number> {
  const order = [...boxes].sort((a, b) => a.y - b.y || a.x - b.x);
  const placed: Box[] = [];
  const ys: Record<string, number> = {};
  for (const box of order) {
    const moved = { ...box };
    let blocker = placed.find((other) => overlaps(moved, other, gap));
    while (blocker) {
      moved.y = blocker.y + blocker.height + gap;
      blocker = placed.find((other) => overlaps(moved, other, gap));
    }
    placed.push(moved);
    ys[box.id] = moved.y;
  }
  return ys;
}
