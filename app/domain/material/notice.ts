/**
 * The 一次性告知书 (one-time notice): everything still needed from the
 * enterprise, told once, with who to call and by when. Built from the
 * project's facts only — the officer and the enterprise contact by name and
 * phone, the materials the ledger shows as missing that an unfinished item
 * still needs, never a certificate the project already holds, and each open
 * 补正 request with its reason and the date it must come back by to keep the plan.
 */
import type { DayNum, WorkingCalendar } from "~/domain/calendar";
import { isFinished, type ItemKind, type ItemStatus } from "~/domain/clock";
import { issuedBy, issuersOf } from "./certificates";
import type { MaterialStatus } from "./vocabulary";

export interface NoticePerson {
  displayName: string;
  phone: string | null;
}

export interface NoticeItemFacts {
  key: string;
  name: string;
  kind: ItemKind;
  status: ItemStatus;
  departmentName: string | null;
  /** 倒排 plan: the latest finish that keeps 开工 on target; null for finished items. */
  latestFinish: DayNum | null;
  /** Working days left on the clock when the open pause began (补正). */
  remainingAtPause: number | null;
  /** An open 容缺 commitment: the deferred materials and the promised date. */
  commitment: { materials: readonly string[]; on: DayNum } | null;
  /** The open 补正 request, when the item is in correction. */
  correction: { requestedOn: string | null; missingMaterials: readonly string[]; note: string | null } | null;
}

export interface NoticeMaterialFacts {
  id: number;
  name: string;
  status: MaterialStatus;
  /** Sent back by the officer (missing again, with the reason in `note`). */
  rejected: boolean;
  note: string | null;
  /** Planned date it is first needed (the earliest start of a not-yet-accepted item needing it). */
  deadlineOn: string | null;
  /** Keys of the items that need it, in project order. */
  itemKeys: readonly string[];
}

export interface NoticeFacts {
  asOf: DayNum;
  project: { id: number; code: string; name: string; signedOn: string; targetStartOn: string };
  enterprise: { name: string; creditCode: string; contactPhone: string | null };
  /** Active users of the project's enterprise (role `enterprise`), in id order. */
  enterpriseUsers: readonly NoticePerson[];
  /** The project's assigned proxy officers. */
  proxies: readonly NoticePerson[];
  provisional: boolean;
  items: readonly NoticeItemFacts[];
  materials: readonly NoticeMaterialFacts[];
}

export interface NoticeContents {
  project: NoticeFacts["project"];
  /** `contactName`/`contactPhone`: the enterprise's contact person as the notice names them. */
  enterprise: { name: string; creditCode: string; contactName: string; contactPhone: string | null };
  proxies: NoticePerson[];
  today: string;
  /** Some deadline lies in a year without official holiday data: dates are estimates (DESIGN §4). */
  provisional: boolean;
  materials: {
    id: number;
    name: string;
    rejected: boolean;
    note: string | null;
    /** The date to hand it in by; null: as soon as possible. */
    deadlineOn: string | null;
    /** The 容缺 commitment sets the date (the enterprise promised it). */
    committed: boolean;
    /** An approval of this project that will issue it (not yet 已办结): the enterprise gets it from there. */
    issuedBy: { key: string; name: string } | null;
    items: { key: string; name: string }[];
  }[];
  corrections: {
    key: string;
    name: string;
    departmentName: string | null;
    requestedOn: string | null;
    missingMaterials: string[];
    /** The department's reason for the 补正. */
    note: string | null;
    /** The corrections must be back by this day for the item to finish within the plan; null when the plan has no date for it. */
    deadlineOn: string | null;
    /** The plan is already late: corrections are needed at once. */
    late: boolean;
  }[];
}

/**
 * Who signs for the enterprise: its own user in the system when there is one
 * (the person the officer deals with), else the enterprise itself as
 * "<企业名>联系人". The enterprise's phone stands in for a user without one.
 *
 * @example
 * enterpriseContact({ name: "江城食品有限公司", contactPhone: "13800000000", … }, []) // → { name: "江城食品有限公司联系人", phone: "13800000000" }
 */
export function enterpriseContact(enterprise: NoticeFacts["enterprise"], users: readonly NoticePerson[]): { name: string; phone: string | null } {
  const user = users[0];
  if (user) return { name: user.displayName, phone: user.phone || enterprise.contactPhone };
  return { name: `${enterprise.name}联系人`, phone: enterprise.contactPhone };
}

/**
 * The day a 补正 must come back by for the item to still finish by its latest
 * finish: the correction closes the pause and the clock has `remainingAtPause`
 * working days left, so `addWorkingDays(latestFinish, −remaining)`.
 *
 * @example correctionDeadline(toDay("2026-04-30"), 5, cal) // → 2026-04-23
 */
export function correctionDeadline(latestFinish: DayNum, remainingAtPause: number, cal: WorkingCalendar): DayNum {
  return cal.addWorkingDays(latestFinish, -Math.max(0, remainingAtPause));
}

/**
 * What the notice says, from the project's facts:
 *
 * - the officers with their phones, and the enterprise contact (`enterpriseContact`);
 * - each material the ledger shows as missing that an unfinished item still needs,
 *   except a certificate an approved item of the project has issued (`issuedBy`):
 *   by the earliest of its planned date and any 容缺 commitment that defers it;
 * - each open 补正 with the department's reason and the date to bring it back by
 *   (`correctionDeadline`; `late` when that day is already past).
 *
 * @example
 * const n = noticeContents(facts, cal);
 * n.enterprise.contactName; n.materials.map((m) => [m.name, m.deadlineOn]); n.corrections[0].deadlineOn
 */
export function noticeContents(facts: NoticeFacts, cal: WorkingCalendar): NoticeContents {
  const byKey = new Map(facts.items.map((i) => [i.key, i]));
  const sources = facts.items.map((i) => ({ key: i.key, name: i.name, kind: i.kind, status: i.status }));
  const contact = enterpriseContact(facts.enterprise, facts.enterpriseUsers);

  const materials: NoticeContents["materials"] = [];
  for (const m of facts.materials) {
    if (m.status !== "missing") continue;
    const needing = m.itemKeys.map((k) => byKey.get(k)).filter((i): i is NoticeItemFacts => i !== undefined);
    const open = needing.filter((i) => !isFinished(i.status));
    // Asked only while something unfinished needs it (a material no item lists is still asked for).
    if (needing.length > 0 && open.length === 0) continue;
    if (issuedBy(m.name, sources) !== null) continue;
    let deadline = m.deadlineOn;
    let committed = false;
    for (const i of facts.items) {
      if (!i.commitment || !i.commitment.materials.includes(m.name)) continue;
      const on = cal.format(i.commitment.on);
      if (deadline === null || on <= deadline) {
        deadline = on;
        committed = true;
      }
    }
    const issuer = issuersOf(m.name, sources).find((i) => !isFinished(i.status)) ?? null;
    materials.push({
      id: m.id,
      name: m.name,
      rejected: m.rejected,
      note: m.rejected ? m.note : null,
      deadlineOn: deadline,
      committed,
      issuedBy: issuer ? { key: issuer.key, name: issuer.name } : null,
      items: open.map((i) => ({ key: i.key, name: i.name })),
    });
  }
  materials.sort((a, b) => (a.deadlineOn ?? "9999").localeCompare(b.deadlineOn ?? "9999") || a.id - b.id);

  const corrections: NoticeContents["corrections"] = facts.items
    .filter((i) => i.status === "correction" && i.correction !== null)
    .map((i) => {
      const due = i.latestFinish === null ? null : correctionDeadline(i.latestFinish, i.remainingAtPause ?? 0, cal);
      return {
        key: i.key,
        name: i.name,
        departmentName: i.departmentName,
        requestedOn: i.correction!.requestedOn,
        missingMaterials: [...i.correction!.missingMaterials],
        note: i.correction!.note,
        deadlineOn: due === null ? null : cal.format(due),
        late: due !== null && due < facts.asOf,
      };
    });

  return {
    project: facts.project,
    enterprise: { name: facts.enterprise.name, creditCode: facts.enterprise.creditCode, contactName: contact.name, contactPhone: contact.phone },
    proxies: facts.proxies.map((p) => ({ displayName: p.displayName, phone: p.phone })),
    today: cal.format(facts.asOf),
    provisional: facts.provisional,
    materials,
    corrections,
  };
}
