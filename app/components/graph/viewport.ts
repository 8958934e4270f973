import { getViewportForBounds, type Viewport } from "@xyflow/react";

/**
 * Where the approval graph looks: on open, after selecting an item, and in the
 * address bar. Pure functions of boxes and canvas sizes, so the server renders
 * the same first view the browser starts from, and the rules are unit-testable.
 */

/** Item names on the graph are this many CSS pixels at zoom 1 (the node's name class says the same). */
export const NAME_FONT_PX = 13;
/** The smallest rendered name size a person can read at a glance. */
export const LEGIBLE_PX = 10;
/** The least zoom at which names render at LEGIBLE_PX. */
export const LEGIBLE_ZOOM = LEGIBLE_PX / NAME_FONT_PX;
export const MIN_ZOOM = 0.1;
export const MAX_ZOOM = 1.6;
/** Opening views never blow a small graph up beyond this. */
const OPEN_MAX_ZOOM = 1.15;
/** Items selected are shown at least this large. */
const FOCUS_ZOOM = 1;
const PAD = 16;
export const FIT_PADDING = `${PAD}px`;

/**
 * The canvas assumed before the browser has measured it: what a 1440 × 900 screen
 * gives the graph. The server renders with it; the browser corrects right after
 * hydration when its canvas differs.
 */
export const NOMINAL_CANVAS = { width: 1400, height: 700 } as const;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Canvas {
  width: number;
  height: number;
}

export function boundsOf(boxes: readonly Box[]): Box {
  if (!boxes.length) return { x: 0, y: 0, width: 1, height: 1 };
  const x = Math.min(...boxes.map((b) => b.x));
  const y = Math.min(...boxes.map((b) => b.y));
  const right = Math.max(...boxes.map((b) => b.x + b.width));
  const bottom = Math.max(...boxes.map((b) => b.y + b.height));
  return { x, y, width: right - x, height: bottom - y };
}

/** `?view=x,y,zoom` → a viewport, or null when absent or not three sane numbers. */
export function parseView(value: string | null): Viewport | null {
  if (!value) return null;
  const parts = value.split(",").map(Number);
  if (parts.length !== 3 || parts.some((n) => !Number.isFinite(n))) return null;
  const [x, y, zoom] = parts;
  if (zoom < MIN_ZOOM || zoom > MAX_ZOOM || Math.abs(x) > 1e6 || Math.abs(y) > 1e6) return null;
  return { x, y, zoom };
}

export function formatView(v: Viewport): string {
  return `${Math.round(v.x)},${Math.round(v.y)},${Number(v.zoom.toFixed(3))}`;
}

export type OpeningMode = "all" | "frontier";

/**
 * The view a page opens on: the whole graph when its names are legible that way;
 * otherwise the current frontier (items overdue, running or ready to file), at a
 * legible zoom, and the caller tells the user how to see the rest.
 */
export function openingView(all: readonly Box[], frontier: readonly Box[], canvas: Canvas): { viewport: Viewport; mode: OpeningMode } {
  const b = boundsOf(all);
  const fitted = getViewportForBounds(b, canvas.width, canvas.height, MIN_ZOOM, OPEN_MAX_ZOOM, FIT_PADDING);
  // Top-aligned rather than centred: the board starts under the toolbar and spare height goes below.
  const whole = { ...fitted, y: Math.min(fitted.y, PAD - b.y * fitted.zoom) };
  if (whole.zoom >= LEGIBLE_ZOOM || !frontier.length) return { viewport: whole, mode: "all" };
  const near = getViewportForBounds(boundsOf(frontier), canvas.width, canvas.height, LEGIBLE_ZOOM, OPEN_MAX_ZOOM, FIT_PADDING);
  if (near.zoom > LEGIBLE_ZOOM) return { viewport: near, mode: "frontier" };
  // Even the frontier is too large: start at its top left, legibly.
  const f = boundsOf(frontier);
  return { viewport: { x: PAD - f.x * LEGIBLE_ZOOM, y: PAD - f.y * LEGIBLE_ZOOM, zoom: LEGIBLE_ZOOM }, mode: "frontier" };
}

/**
 * The view after selecting `node`: unchanged (null) when the item is already fully in view at
 * a legible zoom. Otherwise it is brought in: at the current zoom when that is legible (else
 * FOCUS_ZOOM), centred across the part of the canvas the drawer leaves (`coveredRight` pixels
 * are covered on the right), and moved vertically only if it is not already in view that way.
 */
export function focusView(node: Box, current: Viewport, canvas: Canvas, coveredRight: number): Viewport | null {
  const visibleWidth = Math.max(canvas.width - coveredRight, canvas.width * 0.4);
  const within = (v: Viewport) => {
    const left = node.x * v.zoom + v.x;
    const top = node.y * v.zoom + v.y;
    return {
      across: left >= 8 && left + node.width * v.zoom <= visibleWidth - 8,
      down: top >= 8 && top + node.height * v.zoom <= canvas.height - 8,
    };
  };
  const now = within(current);
  if (now.across && now.down && current.zoom >= LEGIBLE_ZOOM) return null;
  const zoom = current.zoom >= LEGIBLE_ZOOM ? current.zoom : FOCUS_ZOOM;
  const cx = node.x + node.width / 2;
  const cy = node.y + node.height / 2;
  const centred = { x: visibleWidth / 2 - cx * zoom, y: canvas.height / 2 - cy * zoom, zoom };
  return zoom === current.zoom && now.down ? { ...centred, y: current.y } : centred;
}
