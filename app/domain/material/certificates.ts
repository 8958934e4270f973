/**
 * Certificates the project earns on its way (规划许可证, 不动产权证书, 批复 …).
 *
 * Templates list what an item needs by name, and a later item often needs the
 * document an earlier approval issues: 施工许可 needs 建设工程规划许可证, issued by
 * the item named 建设工程规划许可证. Once that approval is 已办结 the certificate
 * exists, so nobody may be asked to hand it in (一次性告知) or to promise it
 * under 容缺受理. Templates name such a material after the approval that issues it:
 *
 * - the item's name without its qualifier in brackets:
 *   不动产权证书（国有建设用地使用权首次登记） → 不动产权证书;
 *   建设工程规划许可证（模拟审批转正式） → 建设工程规划许可证;
 * - the item's name with the document it ends in, the material naming only its
 *   tail: …审批 → …批复 (建设项目环境影响报告表审批 → 环境影响报告表批复),
 *   …审查 → …审查意见书 (特殊建设工程消防设计审查 → 特殊建设工程消防设计审查意见书),
 *   …核准 → …核准批复文件 (企业投资项目核准 → 项目核准批复文件),
 *   …备案 → …备案证明 (企业投资项目备案 → 项目备案证明);
 * - an item named after its document: 建设项目用地预审与选址意见书 → 用地预审与选址意见书.
 *
 * Names that follow none of these (项目代码 from 赋码, 施工图审查合格书 from 联合审查)
 * are not recognised and stay ordinary materials.
 */
import type { ItemKind, ItemStatus } from "~/domain/clock";

/** Document names an approval with this suffix issues (suffix → what replaces it). */
const ISSUED_DOCUMENTS: readonly (readonly [string, readonly string[]])[] = [
  ["审批", ["批复", "审批意见"]],
  ["审查", ["审查意见书", "审查意见", "审查合格书"]],
  ["核准", ["核准批复文件", "核准批复"]],
  ["备案", ["备案证明"]],
];

/** A material named by a shorter tail than this is too generic to tie to one approval. */
const MIN_TAIL = 4;

/** The item's name without qualifiers in brackets, full-width or not. */
function baseName(name: string): string {
  return name.replace(/[（(][^（）()]*[）)]/g, "").trim();
}

/**
 * Names of the documents an approval named `itemName` issues.
 *
 * @example
 * certificateNames("建设工程规划许可证（模拟审批转正式）") // → ["建设工程规划许可证"]
 * certificateNames("建设项目环境影响报告表审批") // → ["建设项目环境影响报告表审批", "建设项目环境影响报告表批复", "建设项目环境影响报告表审批意见"]
 */
export function certificateNames(itemName: string): string[] {
  const base = baseName(itemName);
  const names = [base];
  for (const [suffix, documents] of ISSUED_DOCUMENTS) {
    if (!base.endsWith(suffix)) continue;
    const stem = base.slice(0, base.length - suffix.length);
    for (const doc of documents) names.push(stem + doc);
  }
  return [...new Set(names)];
}

/**
 * Whether a material of this name is the document an approval named `itemName`
 * issues: one of its certificate names, or the tail of one (templates drop the
 * applicant-side prefix: 环境影响报告表批复 for 建设项目环境影响报告表批复).
 *
 * @example
 * issues("建设项目用地预审与选址意见书", "用地预审与选址意见书") // → true
 * issues("建设用地规划许可证", "建设用地规划许可申请表") // → false
 */
export function issues(itemName: string, materialName: string): boolean {
  const m = materialName.trim();
  if (m.length < MIN_TAIL) return false;
  return certificateNames(itemName).some((n) => n === m || n.endsWith(m));
}

export interface CertificateSource {
  key: string;
  name: string;
  kind: ItemKind;
  status: ItemStatus;
}

/**
 * The approvals of the project that issue this material, in project order.
 * Only approvals issue certificates; intermediary reports are handed in like
 * any other material.
 */
export function issuersOf<T extends CertificateSource>(materialName: string, items: readonly T[]): T[] {
  return items.filter((i) => i.kind === "approval" && issues(i.name, materialName));
}

/**
 * The approval that has already issued this material (已办结), or null. A waived
 * approval issued nothing, so it does not count.
 *
 * @example
 * // engineering-planning-permit 建设工程规划许可证 is approved
 * issuedBy("建设工程规划许可证", items) // → that item
 */
export function issuedBy<T extends CertificateSource>(materialName: string, items: readonly T[]): T | null {
  return issuersOf(materialName, items).find((i) => i.status === "approved") ?? null;
}

/**
 * The materials still owed: `names` without the certificates the system shows as
 * issued. What 受理 must account for, what 下一步 counts and what the notice asks for.
 *
 * @example outstanding(["施工合同", "建设工程规划许可证"], items) // → ["施工合同"] once the permit is approved
 */
export function outstanding<T extends CertificateSource>(names: readonly string[], items: readonly T[]): string[] {
  return names.filter((n) => issuedBy(n, items) === null);
}
