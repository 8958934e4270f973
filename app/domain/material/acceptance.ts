/**
 * 受理 against the project's material ledger. A department accepts an
 * application when its materials are complete; with some still missing it may
 * only accept under 容缺受理, the missing ones listed and a date promised to
 * supply them (the commitment the clock then watches). Recording 受理 while the
 * ledger shows 缺, without a word, would start a clock on an application the
 * system itself says is incomplete.
 */
import type { Role } from "~/domain/access/policy";
import type { MaterialStatus } from "./vocabulary";

/**
 * Whose 受理 is checked: proxy officers and department staff, through the pages
 * and the API alike. A future `integration` account (a provincial platform,
 * DESIGN §3) reports acceptances the department has already made against its
 * own checklist; it is left out on purpose when that role arrives.
 */
export function acceptanceChecksMaterials(role: Role | string): boolean {
  return role === "proxy" || role === "dept";
}

export interface RequiredMaterial {
  name: string;
  status: MaterialStatus;
}

export interface AcceptanceRefusal {
  /** One Chinese sentence naming the materials. */
  message: string;
  /** Form field → message, for the 受理 form. */
  fields: Record<string, string>;
  /** The missing materials not declared 容缺. */
  undeclared: string[];
}

/**
 * Why 受理 may not be recorded as submitted, or null when it may: every required
 * material that is still missing (status `missing`; pass the list with issued
 * certificates already removed) must be among `deferred`, and a 补齐 date must be
 * given. The date's own limits (after 受理, not after the due date) are the
 * clock's to check.
 *
 * @example
 * acceptanceRefusal([{ name: "施工合同", status: "missing" }, { name: "营业执照", status: "verified" }], [], null)
 * // → { message: "尚缺申报材料：施工合同。请勾选为容缺材料并填写补齐日期后受理，或收齐材料后再受理", … }
 * acceptanceRefusal([{ name: "施工合同", status: "missing" }], ["施工合同"], "2026-12-10") // → null
 */
export function acceptanceRefusal(
  required: readonly RequiredMaterial[],
  deferred: readonly string[],
  commitmentOn: string | null | undefined,
): AcceptanceRefusal | null {
  const missing = required.filter((m) => m.status === "missing").map((m) => m.name);
  if (missing.length === 0) return null;
  const declared = new Set(deferred.map((d) => d.trim()));
  const undeclared = missing.filter((m) => !declared.has(m));
  if (undeclared.length > 0) {
    const message = `尚缺申报材料：${undeclared.join("、")}。请勾选为容缺材料并填写补齐日期后受理，或收齐材料后再受理`;
    return { message, fields: { deferredMaterials: message }, undeclared };
  }
  if (!commitmentOn) {
    const message = `容缺受理须填写补齐日期（容缺材料：${missing.join("、")}）`;
    return { message, fields: { commitmentOn: message }, undeclared: [] };
  }
  return null;
}
