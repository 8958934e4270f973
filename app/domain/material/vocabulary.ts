/** State of a project's material (deduplicated per project; one upload serves every item that needs it). */
export const MATERIAL_STATUSES = ["missing", "received", "verified"] as const;
export type MaterialStatus = (typeof MATERIAL_STATUSES)[number];
