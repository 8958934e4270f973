/** State of a project's material (deduplicated per project; one upload serves every item that needs it). */
export const MATERIAL_STATUSES = ["missing", "received", "verified"] as const;
export type MaterialStatus = (typeof MATERIAL_STATUSES)[number];

export const MATERIAL_STATUS_LABELS: Readonly<Record<MaterialStatus, string>> = {
  missing: "待提交",
  received: "已提交待核验",
  verified: "已核验",
};
