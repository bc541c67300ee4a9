// Where the canvas looks: "Fit to view" that keeps text readable, and bringing a node into view. Pure: rectangles
// in, a viewport out (React Flow's {x, y, zoom}: a flow point p shows at p × zoom + (x, y) in the canvas).

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

export interface Size {
  width: number;
  height: number;
}

/**
 * The least zoom "Fit to view" goes down to: the nodes' smallest text (12 px) still shows at 9 px, a connection
 * handle (12 px) at 9 px. A workflow too large for the view at this zoom is scrolled, not shrunk further.
 */
export const READABLE_ZOOM = 0.75;

export interface FitOptions {
  /** Space kept free around the workflow, in screen pixels. */
  padding: number;
  minZoom: number;
  maxZoom: number;
  /** What must stay in view when the whole cannot (the trigger: where the workflow starts). */
  anchor?: Rect;
}

export const FIT: FitOptions = { padding: 40, minZoom: READABLE_ZOOM, maxZoom: 1 };

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/** One axis: the offset that centres `[start, start + length]` when it fits, else shows the anchor's span. */
function offset(start: number, length: number, view: number, zoom: number, padding: number, anchor?: { start: number; length: number }): number {
  const room = view - 2 * padding;
  if (length * zoom <= room) return (view - length * zoom) / 2 - start * zoom;
  // Too long: show the anchor (centred), but never leave blank canvas before the start or after the end.
  const centre = anchor ? anchor.start + anchor.length / 2 : start;
  const wanted = anchor ? view / 2 - centre * zoom : padding - start * zoom;
  const first = padding - start * zoom; // the workflow's start at the padding
  const last = view - padding - (start + length) * zoom; // its end at the padding
  return clamp(wanted, last, first);
}

/**
 * The viewport showing all of `bounds` (the nodes' box, in flow coordinates) in a view of `size`, at the largest
 * zoom that fits, kept within [minZoom, maxZoom]. When even `minZoom` cannot show it all, the workflow's start
 * (left) shows, with the anchor in view, and the rest is a scroll away.
 */
export function readableFit(bounds: Rect, size: Size, options: FitOptions = FIT): Viewport {
  const { padding, minZoom, maxZoom, anchor } = options;
  const across = (size.width - 2 * padding) / Math.max(bounds.width, 1);
  const down = (size.height - 2 * padding) / Math.max(bounds.height, 1);
  const zoom = clamp(Math.min(across, down), minZoom, maxZoom);
  return {
    x: offset(bounds.x, bounds.width, size.width, zoom, padding, anchor && { start: anchor.x, length: anchor.width }),
    y: offset(bounds.y, bounds.height, size.height, zoom, padding, anchor && { start: anchor.y, length: anchor.height }),
    zoom,
  };
}

/** Where `rect` (flow coordinates) shows on screen under `viewport`. */
export function onScreen(rect: Rect, viewport: Viewport): Rect {
  return { x: rect.x * viewport.zoom + viewport.x, y: rect.y * viewport.zoom + viewport.y, width: rect.width * viewport.zoom, height: rect.height * viewport.zoom };
}

/**
 * The least pan (same zoom) that shows all of `rect` with `margin` to spare in a view of `size`; null when it shows
 * already. A node larger than the view shows its top-left corner. E.g. a step just added right of the last one,
 * which the side panel (opened beside the canvas) would otherwise hide.
 */
export function reveal(rect: Rect, viewport: Viewport, size: Size, margin = 24): Viewport | null {
  const shown = onScreen(rect, viewport);
  const shift = (start: number, length: number, view: number) => {
    if (start >= margin && start + length <= view - margin) return 0;
    if (length + 2 * margin > view || start < margin) return margin - start;
    return view - margin - (start + length);
  };
  const dx = shift(shown.x, shown.width, size.width);
  const dy = shift(shown.y, shown.height, size.height);
  return dx === 0 && dy === 0 ? null : { x: viewport.x + dx, y: viewport.y + dy, zoom: viewport.zoom };
}
