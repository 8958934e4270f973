/**
 * Phase 4 of the schedule: which items gate 开工 (DESIGN §4).
 */
import { reachableIdx } from "~/domain/graph/graph";
import { findStartKey } from "~/domain/graph/milestone";
import type { ScheduleGraph } from "./graph-index";
import type { ScheduleInput } from "./types";

/**
 * Position of the 开工 milestone, or −1 when the project has none (the latest sink
 * then stands in for it). The milestone is `input.startKey` when the caller names
 * one, else the item of kind milestone named 开工 whatever its key (`findStartKey`,
 * DESIGN §4) — provincial platforms send their own keys.
 *
 * @example
 * // items: filing, { key: "kaigong", kind: "milestone", name: "开工" }
 * startIndexOf({ items, edges, targetStartOn }, g); // 1
 */
export function startIndexOf(input: ScheduleInput, g: ScheduleGraph): number {
  const key = input.startKey ?? findStartKey(input.items);
  return key === null ? -1 : (g.index.get(key) ?? -1);
}

/**
 * A 0/1 mark per position: 1 for the 开工 milestone and its ancestors, the items the
 * 倒排 target constrains. Without a milestone (`startIdx` −1) every item gates the start.
 *
 * @example
 * // filing → start → acceptance
 * gatesOfStart(g, g.index.get("start")!); // Uint8Array [1, 1, 0]
 */
export function gatesOfStart(g: ScheduleGraph, startIdx: number): Uint8Array {
  if (startIdx < 0) return new Uint8Array(g.n).fill(1);
  const gates = reachableIdx(startIdx, g.predStart, g.predIdx);
  gates[startIdx] = 1;
  return gates;
}
