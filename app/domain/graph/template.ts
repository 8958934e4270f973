/**
 * Approval-graph templates (DESIGN §5): the zod schema, and a validator that
 * reports every problem of a template at once — each with the file, a JSON path
 * ("items[3].department", "dependencies[2].to", "dependencies" for a cycle) and a
 * message in Simplified Chinese.
 *
 * Pure: no fs, no clock. Reading `templates/*.json` from disk is
 * `app/services/template-catalog.server.ts`.
 */
import { z } from "zod";
import { findUnsafeText } from "../validation/text";
import { zhErrorMap } from "../validation/zh-error-map";
import { findCycle, topologicalOrder, type Edge } from "./graph";
import { isStartMilestone, START_NAME } from "./milestone";
import { ITEM_KIND_LABELS, ITEM_KINDS, LIMIT_UNITS, type Stage } from "../item/vocabulary";

export { ITEM_KINDS, LIMIT_UNITS, STAGE_LABELS, type Stage } from "../item/vocabulary";

/** The 开工 milestone is recognised by kind and name, whatever its key: see ./milestone (findStartKey). */
export { START_NAME } from "./milestone";

const KEY_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const KEY_MESSAGE = "key 只能由小写英文字母、数字和连字符组成（kebab-case，如 land-title）";

const nonNegativeInt = () => z.number().int().min(0);

const itemShape = z
  .object({
    key: z.string().regex(KEY_RE, { message: KEY_MESSAGE }),
    name: z.string().trim().min(1, { message: "名称不能为空" }),
    kind: z.enum(ITEM_KINDS),
    department: z.string().trim().min(1, { message: "部门不能为空" }).optional(),
    stage: z
      .number()
      .int({ message: "阶段必须是 1–4 的整数" })
      .min(1, { message: "阶段必须是 1–4 的整数" })
      .max(4, { message: "阶段必须是 1–4 的整数" })
      .optional(),
    statutoryLimit: nonNegativeInt().optional(),
    promisedLimit: nonNegativeInt().optional(),
    limitUnit: z.enum(LIMIT_UNITS).default("workingDays"),
    plannedDuration: nonNegativeInt().optional(),
    materials: z.array(z.string().trim().min(1, { message: "材料名称不能为空" })).default([]),
    correctionRestartsClock: z.boolean().default(false),
    yellowLead: nonNegativeInt().optional(),
    note: z.string().optional(),
  })
  .strict();

type ItemShape = z.output<typeof itemShape>;

type Segment = string | number;
interface RawProblem {
  path: Segment[];
  message: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Rules that depend on the item's kind, and limits that must agree with each
 * other; paths relative to the item. Tolerant of malformed input: it also runs on
 * raw JSON, so a type error in one field does not hide these problems.
 */
function itemProblems(item: Record<string, unknown>): RawProblem[] {
  const out: RawProblem[] = [];
  const issue = (path: Segment[], message: string) => out.push({ path, message });
  const has = (f: string) => item[f] !== undefined;
  const kind = item.kind;

  if (kind === "approval") {
    if (!has("department")) issue(["department"], "审批事项必须指定办理部门 department");
    if (!has("statutoryLimit") && !has("promisedLimit"))
      issue(["statutoryLimit"], "审批事项至少需要法定时限 statutoryLimit 或承诺时限 promisedLimit 之一");
    if (has("plannedDuration"))
      issue(["plannedDuration"], "审批事项的工期由时限决定，不应填写计划工期 plannedDuration");
  }
  if (kind === "intermediary" || kind === "owner") {
    if (!has("plannedDuration"))
      issue(["plannedDuration"], `${ITEM_KIND_LABELS[kind]}事项必须填写计划工期 plannedDuration（工作日）`);
  }
  if (kind === "milestone") {
    if (has("department")) issue(["department"], "里程碑不属于任何部门，不应填写 department");
    for (const f of ["statutoryLimit", "promisedLimit", "plannedDuration"])
      if (has(f)) issue([f], `里程碑工期为 0，不应填写 ${f}`);
  } else if (!has("stage")) {
    issue(["stage"], "缺少阶段 stage（1 立项用地规划许可、2 工程建设许可、3 施工许可、4 竣工验收）");
  }
  const { statutoryLimit: stat, promisedLimit: prom } = item;
  if (typeof stat === "number" && typeof prom === "number" && prom > stat)
    issue(["promisedLimit"], `承诺时限（${prom}）不能超过法定时限（${stat}）`);
  if (Array.isArray(item.materials)) {
    const seen = new Map<string, number>();
    item.materials.forEach((raw, j) => {
      if (typeof raw !== "string" || raw.trim() === "") return;
      const m = raw.trim();
      const first = seen.get(m);
      if (first !== undefined) issue(["materials", j], `材料「${m}」重复（与 materials[${first}] 相同）`);
      else seen.set(m, j);
    });
  }
  return out;
}

function checkItem(item: ItemShape, ctx: z.RefinementCtx): void {
  for (const p of itemProblems(item))
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: p.path, message: p.message });
}

export const templateItemSchema = itemShape.superRefine(checkItem);

export const templateDependencySchema = z
  .object({
    from: z.string().min(1, { message: "依赖的起点 from 不能为空" }),
    to: z.string().min(1, { message: "依赖的终点 to 不能为空" }),
    lagWorkingDays: nonNegativeInt().default(0),
  })
  .strict();

const templateShape = z
  .object({
    key: z.string().regex(KEY_RE, { message: KEY_MESSAGE }),
    version: z.number().int().min(1),
    name: z.string().trim().min(1, { message: "模板名称不能为空" }),
    description: z.string().optional(),
    items: z.array(templateItemSchema).min(1, { message: "模板至少需要一个事项" }),
    dependencies: z.array(templateDependencySchema).default([]),
  })
  .strict();

/**
 * Graph checks: duplicate item keys, at most one 开工 milestone, dangling/self/duplicate
 * edges, cycles. Tolerant of malformed input (runs on raw JSON too, so that a
 * shape error elsewhere does not hide a dangling edge).
 */
function graphProblems(items: readonly unknown[], dependencies: readonly unknown[]): RawProblem[] {
  const out: RawProblem[] = [];
  const firstIndex = new Map<string, number>();
  items.forEach((item, i) => {
    if (!isRecord(item) || typeof item.key !== "string") return;
    const first = firstIndex.get(item.key);
    if (first !== undefined)
      out.push({ path: ["items", i, "key"], message: `事项 key「${item.key}」重复（已用于 items[${first}]）` });
    else firstIndex.set(item.key, i);
  });

  // The 开工 milestone is found by kind and name, whatever its key (provincial
  // platforms send their own keys). None is fine: the latest sink stands in for it.
  // Two would make 倒排 ambiguous, so every one after the first is refused.
  let firstStart: number | undefined;
  const keyOf = (item: Record<string, unknown>) => (typeof item.key === "string" ? item.key : "（无 key）");
  items.forEach((item, i) => {
    if (!isRecord(item) || !isStartMilestone(item)) return;
    if (firstStart === undefined) {
      firstStart = i;
      return;
    }
    const first = items[firstStart] as Record<string, unknown>;
    out.push({
      path: ["items", i],
      message:
        `开工里程碑只能有一个：事项「${keyOf(item)}」与 items[${firstStart}]「${keyOf(first)}」` +
        `都是名为「${START_NAME}」的里程碑（milestone）`,
    });
  });

  const edges: Edge[] = [];
  const firstEdge = new Map<string, number>();
  dependencies.forEach((dep, j) => {
    if (!isRecord(dep)) return;
    const { from, to } = dep;
    let usable = typeof from === "string" && typeof to === "string";
    if (typeof from === "string" && !firstIndex.has(from)) {
      out.push({ path: ["dependencies", j, "from"], message: `依赖的起点「${from}」不是本模板中的事项` });
      usable = false;
    }
    if (typeof to === "string" && !firstIndex.has(to)) {
      out.push({ path: ["dependencies", j, "to"], message: `依赖的终点「${to}」不是本模板中的事项` });
      usable = false;
    }
    if (!usable) return;
    const f = from as string;
    const t = to as string;
    if (f === t) {
      out.push({ path: ["dependencies", j], message: `事项「${f}」不能依赖自身（${f} → ${t}）` });
      return;
    }
    const id = `${f}\u0000${t}`;
    const first = firstEdge.get(id);
    if (first !== undefined) {
      out.push({
        path: ["dependencies", j],
        message: `重复的依赖关系 ${f} → ${t}（与 dependencies[${first}] 相同）`,
      });
      return;
    }
    firstEdge.set(id, j);
    edges.push({ from: f, to: t });
  });

  const cycle = findCycle([...firstIndex.keys()], edges);
  if (cycle) out.push({ path: ["dependencies"], message: `依赖关系存在环：${cycle.join(" → ")}` });
  return out;
}

/** A milestone without a stage takes the latest stage among its prerequisites (1 when it has none). */
function withStages(t: z.output<typeof templateShape>) {
  const keys = t.items.map((i) => i.key);
  const order = topologicalOrder(keys, t.dependencies) ?? keys;
  const stageOf = new Map<string, number>();
  for (const i of t.items) if (i.stage !== undefined) stageOf.set(i.key, i.stage);
  const preds = new Map<string, string[]>();
  for (const d of t.dependencies) preds.set(d.to, [...(preds.get(d.to) ?? []), d.from]);
  for (const k of order) {
    if (stageOf.has(k)) continue;
    const ps = (preds.get(k) ?? []).map((p) => stageOf.get(p) ?? 1);
    stageOf.set(k, Math.max(1, ...ps));
  }
  return {
    ...t,
    items: t.items.map((i) => ({ ...i, stage: stageOf.get(i.key) as Stage })),
  };
}

/**
 * The full template schema: shape, per-item rules and graph rules (everything
 * except department codes, which depend on the deployment — see validateTemplate).
 * Use with `{ errorMap: templateErrorMap }` for Chinese messages.
 */
export const templateSchema = templateShape
  .superRefine((t, ctx) => {
    for (const p of graphProblems(t.items, t.dependencies))
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: p.path, message: p.message });
  })
  .transform(withStages);

export type Template = z.output<typeof templateSchema>;
export type TemplateItem = Template["items"][number];
export type TemplateDependency = Template["dependencies"][number];
/** What a template file may contain (defaults not yet applied). */
export type TemplateInput = z.input<typeof templateSchema>;

export interface TemplateProblem {
  /** e.g. "templates/general-industrial.json" */
  file: string;
  /** e.g. "items[3].department", "dependencies[2].to", "dependencies", "$" for the whole document */
  path: string;
  message: string;
}

export const templateErrorMap = zhErrorMap;

export function formatPath(path: readonly Segment[]): string {
  if (path.length === 0) return "$";
  let s = "";
  for (const seg of path) {
    if (typeof seg === "number") s += `[${seg}]`;
    else s += s === "" ? seg : `.${seg}`;
  }
  return s;
}

const TOP_LEVEL_ORDER = ["key", "version", "name", "description", "items", "dependencies"];

function compareSegments(a: readonly Segment[], b: readonly Segment[]): number {
  if (a.length === 0 || b.length === 0) return a.length === 0 ? (b.length === 0 ? 0 : -1) : 1;
  const ra = TOP_LEVEL_ORDER.indexOf(String(a[0]));
  const rb = TOP_LEVEL_ORDER.indexOf(String(b[0]));
  if (ra !== rb) return ra - rb;
  // Same section: problems about items[i] / dependencies[j] in index order; the
  // section-wide ones ("items": none at all, "dependencies": cycle) after them.
  const ia = typeof a[1] === "number" ? a[1] : Number.POSITIVE_INFINITY;
  const ib = typeof b[1] === "number" ? b[1] : Number.POSITIVE_INFINITY;
  return ia === ib ? 0 : ia < ib ? -1 : 1;
}

export type TemplateValidation =
  | { ok: true; template: Template }
  | { ok: false; problems: TemplateProblem[] };

export interface ValidateTemplateOptions {
  /** Shown in every problem, e.g. "templates/general-industrial.json". */
  file: string;
  /** Department codes a template may name (DEFAULT_DEPARTMENT_CODES, or the deployment's). */
  departments: readonly string[];
}

/**
 * Validate a parsed JSON value as a template. Reports every problem found, not
 * just the first: shape errors with their JSON path, duplicate keys, unknown
 * departments, dangling/self/duplicate edges, bad limits, a second 开工
 * milestone, and a cycle with its keys in order.
 */
export function validateTemplate(json: unknown, opts: ValidateTemplateOptions): TemplateValidation {
  const raw: RawProblem[] = [];
  const parsed = templateSchema.safeParse(json, { errorMap: templateErrorMap });
  if (!parsed.success) for (const i of parsed.error.issues) raw.push({ path: i.path, message: i.message });

  // Names and keys are shown on every project made from the template: no NUL bytes or direction overrides.
  const unsafe = findUnsafeText(json);
  if (unsafe) raw.push({ path: unsafe.path === "_" ? [] : unsafe.path.split(".").map((s) => (/^\d+$/.test(s) ? Number(s) : s)), message: unsafe.message });

  if (isRecord(json)) {
    const items = Array.isArray(json.items) ? json.items : [];
    const known = new Set(opts.departments);
    items.forEach((item, i) => {
      if (isRecord(item) && typeof item.department === "string") {
        const d = item.department.trim();
        if (d !== "" && !known.has(d)) raw.push({ path: ["items", i, "department"], message: `未知部门「${d}」` });
      }
    });
    // When a field has the wrong type zod stops before the item and graph rules;
    // run them on the raw JSON (duplicates of zod's own findings are dropped below).
    if (!parsed.success) {
      items.forEach((item, i) => {
        if (isRecord(item)) for (const p of itemProblems(item)) raw.push({ path: ["items", i, ...p.path], message: p.message });
      });
      if (Array.isArray(json.items))
        raw.push(...graphProblems(json.items, Array.isArray(json.dependencies) ? json.dependencies : []));
    }
  }

  if (raw.length === 0 && parsed.success) return { ok: true, template: parsed.data };

  const seen = new Set<string>();
  const unique: RawProblem[] = [];
  for (const p of raw) {
    const id = `${formatPath(p.path)}\u0000${p.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    unique.push(p);
  }
  unique.sort((a, b) => compareSegments(a.path, b.path));
  return {
    ok: false,
    problems: unique.map((p) => ({ file: opts.file, path: formatPath(p.path), message: p.message })),
  };
}

/** Like validateTemplate, from the file's text: invalid JSON becomes a problem at path "$". */
export function parseTemplateText(text: string, opts: ValidateTemplateOptions): TemplateValidation {
  const body = text.replace(/^\uFEFF/, "");
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    const detail = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ");
    const at = jsonErrorOffset(body);
    let where = "";
    if (at !== null) {
      const before = body.slice(0, at);
      const line = before.split("\n").length;
      const column = at - before.lastIndexOf("\n");
      where = `（第 ${line} 行第 ${column} 列）`;
    }
    return {
      ok: false,
      problems: [{ file: opts.file, path: "$", message: `JSON 语法错误${where}：${detail}` }],
    };
  }
  return validateTemplate(json, opts);
}

/**
 * Offset of the first JSON syntax error in `text` (a strict RFC 8259 scan), or
 * null when the text is valid JSON. V8's messages do not always carry a position.
 */
export function jsonErrorOffset(text: string): number | null {
  let i = 0;
  const n = text.length;
  class Fail {
    constructor(readonly at: number) {}
  }
  const ws = () => {
    while (i < n && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  const expectChar = (c: string) => {
    if (text[i] !== c) throw new Fail(i);
    i++;
  };
  const string = () => {
    expectChar('"');
    while (i < n && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) throw new Fail(i);
      if (text[i] === "\\") {
        i++;
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) throw new Fail(i);
          i += 5;
        } else if (i < n && '"\\/bfnrt'.includes(text[i])) i++;
        else throw new Fail(i);
      } else i++;
    }
    expectChar('"');
  };
  const number = () => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) throw new Fail(i);
    i += m[0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        string();
        ws();
        expectChar(":");
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        expectChar("}");
        return;
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        expectChar("]");
        return;
      }
    }
    if (c === '"') return string();
    for (const lit of ["true", "false", "null"])
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return;
      }
    number();
  };
  try {
    value();
    ws();
    if (i < n) throw new Fail(i);
    return null;
  } catch (e) {
    if (e instanceof Fail) return Math.min(e.at, n);
    throw e;
  }
}

/** One line per problem: "templates/x.json: items[3].department: 未知部门「规划局」". */
export function describeProblems(problems: readonly TemplateProblem[]): string {
  return problems.map((p) => `${p.file}: ${p.path}: ${p.message}`).join("\n");
}

export class TemplateError extends Error {
  readonly problems: TemplateProblem[];
  constructor(problems: TemplateProblem[]) {
    super(`模板无效（${problems.length} 个问题）：\n${describeProblems(problems)}`);
    this.name = "TemplateError";
    this.problems = problems;
  }
}

/** The limit the clock runs on: promised, falling back to statutory (DESIGN §4). */
export function templateItemLimit(item: TemplateItem): number | undefined {
  return item.promisedLimit ?? item.statutoryLimit;
}

/** The template's dependencies as plain graph edges. */
export function templateEdges(template: Pick<Template, "dependencies">): Edge[] {
  return template.dependencies.map((d) => ({ from: d.from, to: d.to }));
}

/** Where a template version comes from: a file shipped in templates/, or an administrator's import. */
export type TemplateSource = "shipped" | "imported";
export const TEMPLATE_SOURCE_LABELS: Readonly<Record<TemplateSource, string>> = { shipped: "内置", imported: "导入" };
