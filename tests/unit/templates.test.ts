import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_DEPARTMENT_CODES } from "~/domain/catalog/departments";
import { ancestorsOf, type Edge } from "~/domain/graph/graph";
import { findStartKey, isStartMilestone } from "~/domain/graph/milestone";
import {
  describeProblems,
  jsonErrorOffset,
  parseTemplateText,
  TemplateError,
  validateTemplate,
  type Template,
  type TemplateProblem,
} from "~/domain/graph/template";
import { loadTemplateCatalog } from "~/services/template-catalog.server";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TEMPLATES_DIR = path.join(ROOT, "templates");
const FIXTURES = path.join(ROOT, "tests/fixtures/templates");
/** What the loader prints for a file: relative to the working directory (the repo root under vitest). */
const shown = (abs: string) => path.relative(process.cwd(), abs).split(path.sep).join("/");

const opts = { file: "inline.json", departments: DEFAULT_DEPARTMENT_CODES };

function edgesOf(t: Template): Edge[] {
  return t.dependencies.map((d) => ({ from: d.from, to: d.to }));
}
function descendantsOf(key: string, edges: readonly Edge[]): Set<string> {
  return ancestorsOf(
    key,
    edges.map((e) => ({ from: e.to, to: e.from })),
  );
}
/** Key of the template's 开工 milestone (kind milestone, named 开工, whatever its key). */
function startKeyOf(t: Template): string {
  const key = findStartKey(t.items);
  if (key === null) throw new Error(`${t.key} has no 开工 milestone`);
  return key;
}
function problemsOfDir(dir: string): TemplateProblem[] {
  try {
    loadTemplateCatalog(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateError);
    return (e as TemplateError).problems;
  }
  throw new Error(`expected ${dir} to be rejected`);
}
/** Working-day length of the longest path through `keys` (durations: promised/statutory limit or planned). */
function longestPath(t: Template, keys: Set<string>): number {
  const dur = new Map(
    t.items.map((i) => [i.key, i.kind === "milestone" ? 0 : (i.plannedDuration ?? i.promisedLimit ?? i.statutoryLimit ?? 0)]),
  );
  const memo = new Map<string, number>();
  const finish = (k: string): number => {
    if (memo.has(k)) return memo.get(k)!;
    let start = 0;
    for (const d of t.dependencies)
      if (d.to === k && keys.has(d.from)) start = Math.max(start, finish(d.from) + d.lagWorkingDays);
    const f = start + dur.get(k)!;
    memo.set(k, f);
    return f;
  };
  return Math.max(0, ...[...keys].map(finish));
}

/** A small valid template to break in individual tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests mutate it into deliberately invalid shapes
function minimal(): any {
  return {
    key: "mini",
    version: 1,
    name: "最小模板",
    items: [
      { key: "filing", name: "企业投资项目备案", kind: "approval", department: "发改", stage: 1, statutoryLimit: 1, promisedLimit: 1 },
      { key: "eia-drafting", name: "环境影响报告表编制", kind: "intermediary", stage: 1, plannedDuration: 20 },
      { key: "eia-approval", name: "环评审批", kind: "approval", department: "生态环境", stage: 1, statutoryLimit: 30, promisedLimit: 16, limitUnit: "calendarDays" },
      { key: "start", name: "开工", kind: "milestone" },
    ],
    dependencies: [
      { from: "filing", to: "eia-drafting" },
      { from: "eia-drafting", to: "eia-approval", lagWorkingDays: 2 },
      { from: "eia-approval", to: "start" },
    ],
  };
}
function problemsOf(json: unknown): TemplateProblem[] {
  const r = validateTemplate(json, opts);
  if (r.ok) throw new Error("expected the template to be rejected");
  return r.problems;
}

describe("templates/*.json", () => {
  const catalog = loadTemplateCatalog(TEMPLATES_DIR, DEFAULT_DEPARTMENT_CODES);
  const files = fs.readdirSync(TEMPLATES_DIR).filter((f) => f.endsWith(".json"));
  const templates = [...catalog.values()];

  it("loads every file, one template per file", () => {
    expect(catalog.size).toBe(files.length);
    expect([...catalog.keys()]).toEqual(expect.arrayContaining(["general-industrial", "approval-core", "standard-land"]));
    // the default directory is ./templates
    expect([...loadTemplateCatalog().keys()].sort()).toEqual([...catalog.keys()].sort());
  });

  it.each(templates.map((t) => [t.key, t] as const))("%s has one 开工 milestone that everything connects to", (_k, t) => {
    const starts = t.items.filter(isStartMilestone);
    expect(starts).toHaveLength(1);
    expect(starts[0]).toMatchObject({ kind: "milestone", name: "开工" });
    const start = startKeyOf(t);
    const edges = edgesOf(t);
    const before = ancestorsOf(start, edges);
    const after = descendantsOf(start, edges);
    const isolated = t.items.filter((i) => i.key !== start && !before.has(i.key) && !after.has(i.key)).map((i) => i.key);
    expect(isolated).toEqual([]);
    // every department-run approval gates 开工 or follows it; at least half of the graph gates it
    expect(before.size).toBeGreaterThanOrEqual(t.items.length / 2 - 1);
  });

  it.each(templates.map((t) => [t.key, t] as const))("%s: no item waits for an item of a later stage", (_k, t) => {
    const stage = new Map(t.items.map((i) => [i.key, i.stage]));
    const backwards = t.dependencies
      .filter((d) => stage.get(d.from)! > stage.get(d.to)!)
      .map((d) => `${d.from}(${stage.get(d.from)}) → ${d.to}(${stage.get(d.to)})`);
    expect(backwards).toEqual([]);
    // in particular stage 1 never depends on stage 3
    for (const i of t.items.filter((x) => x.stage === 1))
      for (const a of ancestorsOf(i.key, edgesOf(t))) expect(stage.get(a), `${i.key} ← ${a}`).toBeLessThan(3);
  });

  it.each(templates.map((t) => [t.key, t] as const))("%s: approvals are runnable by the clock", (_k, t) => {
    for (const i of t.items) {
      if (i.kind === "approval") {
        expect(DEFAULT_DEPARTMENT_CODES, i.key).toContain(i.department);
        expect(i.promisedLimit ?? i.statutoryLimit, i.key).toBeTypeOf("number");
      }
      if (i.kind === "intermediary" || i.kind === "owner") expect(i.plannedDuration, i.key).toBeTypeOf("number");
      for (const m of i.materials) expect(m, i.key).toBe(m.trim());
    }
  });

  it("general-industrial follows sketch A", () => {
    const t = catalog.get("general-industrial")!;
    expect(t.items.length).toBeGreaterThanOrEqual(20);
    expect(t.items.length).toBeLessThanOrEqual(30);
    expect(new Set(t.items.map((i) => i.stage))).toEqual(new Set([1, 2, 3, 4]));
    const edges = edgesOf(t);
    const gates = ancestorsOf(startKeyOf(t), edges);
    for (const k of ["filing", "land-contract", "construction-permit", "eia-approval", "energy-review", "soil-water-approval", "joint-drawing-review", "engineering-planning-permit"])
      expect(gates, k).toContain(k);
    // 施工许可 needs land, both planning permits, drawings reviewed and a contractor
    const permitNeeds = ancestorsOf("construction-permit", edges);
    for (const k of ["land-use-planning-permit", "land-title", "engineering-planning-permit", "joint-drawing-review", "fire-design-review", "contractor-selection"])
      expect(permitNeeds, k).toContain(k);
    // EIA runs in parallel with the land/planning chain
    expect(ancestorsOf("eia-approval", edges)).not.toContain("land-contract");
    const item = (k: string) => t.items.find((i) => i.key === k)!;
    expect(item("eia-approval")).toMatchObject({ limitUnit: "calendarDays", statutoryLimit: 30, department: "生态环境" });
    expect(item("soil-water-approval")).toMatchObject({ statutoryLimit: 20, promisedLimit: 16, limitUnit: "workingDays" });
    expect(item("joint-drawing-review")).toMatchObject({ correctionRestartsClock: true, statutoryLimit: 15, promisedLimit: 10 });
    expect(item("filing").correctionRestartsClock).toBe(false);
    // stage 4 comes after 开工
    for (const i of t.items.filter((x) => x.stage === 4)) expect(descendantsOf(startKeyOf(t), edges), i.key).toContain(i.key);
    // shared materials are spelled the same so a project stores them once
    const uses = (m: string) => t.items.filter((i) => i.materials.includes(m)).length;
    expect(uses("营业执照")).toBeGreaterThanOrEqual(10);
    expect(uses("项目备案证明")).toBeGreaterThanOrEqual(3);
    expect(uses("国有建设用地使用权出让合同")).toBeGreaterThanOrEqual(3);
    expect(uses("不动产权证书")).toBeGreaterThanOrEqual(2);
  });

  it("approval-core puts 用地预审与选址 ∥ 环评 ∥ 水保 ∥ 林地 before 核准", () => {
    const t = catalog.get("approval-core")!;
    const edges = edgesOf(t);
    const before = ancestorsOf("project-approval", edges);
    for (const k of ["site-preapproval", "eia-approval", "soil-water-approval", "forest-land-approval"]) expect(before, k).toContain(k);
    // the four run in parallel: none waits for another
    for (const a of ["site-preapproval", "eia-approval", "soil-water-approval", "forest-land-approval"])
      for (const b of ["site-preapproval", "eia-approval", "soil-water-approval", "forest-land-approval"])
        expect(ancestorsOf(a, edges).has(b), `${a} ← ${b}`).toBe(false);
    const item = (k: string) => t.items.find((i) => i.key === k)!;
    expect(item("project-approval")).toMatchObject({ department: "发改", statutoryLimit: 20, promisedLimit: 15 });
    expect(item("eia-approval")).toMatchObject({ statutoryLimit: 60, limitUnit: "calendarDays" });
    expect(item("forest-land-approval").department).toBe("自然资源");
    expect(ancestorsOf(startKeyOf(t), edges)).toContain("project-approval");
    expect(ancestorsOf("land-contract", edges)).toContain("project-approval");
  });

  it("standard-land: 承诺制 items are (nearly) immediate and 开工 follows the land contract within 2 working days", () => {
    const t = catalog.get("standard-land")!;
    expect(t.items.length).toBeLessThan(catalog.get("general-industrial")!.items.length);
    const promised = t.items.filter((i) => i.name.includes("承诺"));
    expect(promised.length).toBeGreaterThanOrEqual(3);
    for (const i of promised) expect(i.promisedLimit, i.key).toBeLessThanOrEqual(1);
    expect(t.items.filter((i) => i.note?.includes("模拟审批")).length).toBeGreaterThanOrEqual(2);
    const edges = edgesOf(t);
    const afterLand = descendantsOf("land-contract", edges);
    const start = startKeyOf(t);
    const gates = ancestorsOf(start, edges);
    const between = new Set([...afterLand].filter((k) => gates.has(k) || k === start));
    expect(between.size).toBeGreaterThan(0);
    expect(longestPath(t, between)).toBeLessThanOrEqual(2);
    // while the reviews themselves do not wait for the land
    expect(afterLand).not.toContain("scheme-review");
    expect(afterLand).not.toContain("joint-drawing-review");
  });
});

describe("broken fixtures", () => {
  it("reports a cycle with all its keys in order", () => {
    const problems = problemsOfDir(path.join(FIXTURES, "cycle"));
    expect(problems).toHaveLength(1);
    expect(problems[0].file).toBe(shown(path.join(FIXTURES, "cycle/bad.json")));
    expect(problems[0].file).toBe("tests/fixtures/templates/cycle/bad.json");
    expect(problems[0].path).toBe("dependencies");
    expect(problems[0].message).toBe(
      "依赖关系存在环：scheme-review → engineering-planning-permit → joint-drawing-review → scheme-review",
    );
  });

  it("reports a dangling edge at its end", () => {
    const problems = problemsOfDir(path.join(FIXTURES, "dangling-edge"));
    expect(problems).toEqual([
      {
        file: "tests/fixtures/templates/dangling-edge/bad.json",
        path: "dependencies[1].from",
        message: expect.stringContaining("「eia-aproval」"),
      },
    ]);
    expect(problems[0].message).toContain("不是本模板中的事项");
  });

  it("reports a duplicate item key at the second occurrence", () => {
    const problems = problemsOfDir(path.join(FIXTURES, "duplicate-key"));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: "tests/fixtures/templates/duplicate-key/bad.json", path: "items[2].key" });
    expect(problems[0].message).toContain("「filing」");
    expect(problems[0].message).toContain("重复");
    expect(problems[0].message).toContain("items[0]");
  });

  it("reports an unknown department", () => {
    const problems = problemsOfDir(path.join(FIXTURES, "unknown-department"));
    expect(problems).toEqual([
      { file: "tests/fixtures/templates/unknown-department/bad.json", path: "items[1].department", message: "未知部门「规划局」" },
    ]);
    // …which a deployment that has 规划局 accepts
    const ok = loadTemplateCatalog(path.join(FIXTURES, "unknown-department"), [...DEFAULT_DEPARTMENT_CODES, "规划局"]);
    expect(ok.get("fixture-unknown-department")?.items[1].department).toBe("规划局");
  });

  it("reports a negative limit", () => {
    const problems = problemsOfDir(path.join(FIXTURES, "negative-limit"));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: "tests/fixtures/templates/negative-limit/bad.json", path: "items[1].promisedLimit" });
    expect(problems[0].message).toContain("负数");
    expect(problems[0].message).toContain("-3");
  });

  it("reports invalid JSON at $ with the position", () => {
    const problems = problemsOfDir(path.join(FIXTURES, "invalid-json"));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: "tests/fixtures/templates/invalid-json/bad.json", path: "$" });
    expect(problems[0].message).toContain("JSON 语法错误");
    expect(problems[0].message).toMatch(/第 8 行|line 8/);
  });

  it("rejects two files with the same template key", () => {
    const problems = problemsOfDir(path.join(FIXTURES, "duplicate-template-key"));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: "tests/fixtures/templates/duplicate-template-key/b.json", path: "key" });
    expect(problems[0].message).toContain("fixture-same-key");
    expect(problems[0].message).toContain("tests/fixtures/templates/duplicate-template-key/a.json");
  });

  it("collects the problems of every file in one error with one line per problem", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "templates-"));
    tmpDirs.push(dir);
    fs.copyFileSync(path.join(FIXTURES, "cycle/bad.json"), path.join(dir, "a-cycle.json"));
    fs.copyFileSync(path.join(FIXTURES, "unknown-department/bad.json"), path.join(dir, "b-department.json"));
    fs.copyFileSync(path.join(TEMPLATES_DIR, "standard-land.json"), path.join(dir, "c-good.json"));
    fs.writeFileSync(path.join(dir, "notes.txt"), "not a template");
    let error: unknown;
    try {
      loadTemplateCatalog(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateError);
    const err = error as TemplateError;
    expect(err.problems.map((p) => [path.basename(p.file), p.path])).toEqual([
      ["a-cycle.json", "dependencies"],
      ["b-department.json", "items[1].department"],
    ]);
    const lines = err.message.split("\n").slice(1);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(`${err.problems[1].file}: items[1].department: 未知部门「规划局」`);
  });

  afterEach(() => {
    for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
});
const tmpDirs: string[] = [];

describe("findStartKey", () => {
  it("is the milestone named 开工, whatever its key; null when there is none", () => {
    const filing = { key: "filing", kind: "approval", name: "企业投资项目备案" };
    expect(findStartKey([filing, { key: "kaigong", kind: "milestone", name: "开工" }])).toBe("kaigong");
    expect(findStartKey([filing, { key: "start", kind: "milestone", name: "竣工" }])).toBeNull();
    expect(findStartKey([{ key: "kg", kind: "approval", name: "开工" }])).toBeNull();
    expect(findStartKey([])).toBeNull();
    // two (a project edited by hand): the first listed, so the answer is stable
    const a = { key: "a", kind: "milestone", name: "开工" };
    const b = { key: "b", kind: "milestone", name: "开工" };
    expect(findStartKey([a, b])).toBe("a");
  });
});

describe("validateTemplate", () => {
  it("accepts a minimal template and applies defaults", () => {
    const r = validateTemplate(minimal(), opts);
    if (!r.ok) throw new Error(describeProblems(r.problems));
    const t = r.template;
    const filing = t.items[0];
    expect(filing.limitUnit).toBe("workingDays");
    expect(filing.materials).toEqual([]);
    expect(filing.correctionRestartsClock).toBe(false);
    expect(t.items[2].limitUnit).toBe("calendarDays");
    expect(t.dependencies.map((d) => d.lagWorkingDays)).toEqual([0, 2, 0]);
    // a milestone without a stage takes the latest stage of what it waits for
    expect(t.items[3].stage).toBe(1);
  });

  it("reports every problem at once, in document order", () => {
    const json = minimal();
    json.items[0].department = "规划局";
    json.items[1].plannedDuration = -5;
    json.items[2].promisedLimit = 40;
    json.dependencies.push({ from: "filing", to: "eia-aproval" });
    json.dependencies.push({ from: "eia-approval", to: "eia-approval" });
    json.dependencies.push({ from: "filing", to: "eia-drafting" });
    const problems = problemsOf(json);
    expect(problems.map((p) => p.path)).toEqual([
      "items[0].department",
      "items[1].plannedDuration",
      "items[2].promisedLimit",
      "dependencies[3].to",
      "dependencies[4]",
      "dependencies[5]",
    ]);
    expect(problems.every((p) => p.file === "inline.json")).toBe(true);
    expect(problems[2].message).toBe("承诺时限（40）不能超过法定时限（30）");
    expect(problems[4].message).toContain("不能依赖自身");
    expect(problems[5].message).toContain("重复的依赖关系 filing → eia-drafting");
    expect(problems[5].message).toContain("dependencies[0]");
  });

  it("still finds graph problems when the shape is broken elsewhere", () => {
    const json = minimal();
    json.items[1].plannedDuration = "二十天";
    json.dependencies.push({ from: "eia-approval", to: "filing" });
    const problems = problemsOf(json);
    expect(problems.map((p) => p.path)).toEqual(["items[1].plannedDuration", "dependencies"]);
    expect(problems[0].message).toContain("类型错误");
    expect(problems[1].message).toBe("依赖关系存在环：filing → eia-drafting → eia-approval → filing");

    // …and item rules of the same item that has a type error
    const same = minimal();
    same.items[2].limitUnit = "days";
    same.items[2].promisedLimit = 45;
    same.items[2].materials = ["环境影响报告表", "营业执照", " 环境影响报告表 "];
    delete same.items[2].department;
    const p2 = problemsOf(same);
    expect(p2.map((p) => p.path)).toEqual([
      "items[2].limitUnit",
      "items[2].department",
      "items[2].promisedLimit",
      "items[2].materials[2]",
    ]);
    expect(p2[0].message).toBe("取值无效「days」，可选值：workingDays、calendarDays");
    expect(p2[3].message).toContain("重复");
  });

  it("names missing fields, bad enums, unknown fields and kind rules by path", () => {
    const json = minimal();
    delete json.items[0].name;
    json.items[1].kind = "agency";
    json.items[2].statuaryLimit = 30;
    json.items.push({ key: "power", name: "电力接入", kind: "approval", stage: 4 });
    json.items.push({ key: "design", name: "方案设计", kind: "intermediary", stage: 2 });
    json.items.push({ key: "Bad_Key", name: "坏 key", kind: "owner", stage: 5, plannedDuration: 1.5 });
    const problems = problemsOf(json);
    const at = (p: string) => problems.filter((x) => x.path === p).map((x) => x.message);
    expect(at("items[0].name")).toEqual(["缺少必填字段"]);
    expect(at("items[1].kind")[0]).toContain("「agency」");
    expect(at("items[2]")[0]).toContain("statuaryLimit");
    expect(at("items[4].department")).toEqual(["审批事项必须指定办理部门 department"]);
    expect(at("items[4].statutoryLimit")[0]).toContain("至少需要");
    expect(at("items[5].plannedDuration")[0]).toContain("计划工期");
    expect(at("items[6].key")[0]).toContain("kebab-case");
    expect(at("items[6].stage")[0]).toContain("1–4");
    expect(at("items[6].plannedDuration")[0]).toContain("整数");
  });

  it("takes the 开工 milestone by kind and name, whatever its key", () => {
    // Provincial platforms send their own keys.
    const json = minimal();
    json.items[3].key = "kaigong";
    json.dependencies[2].to = "kaigong";
    const r = validateTemplate(json, opts);
    if (!r.ok) throw new Error(describeProblems(r.problems));
    expect(findStartKey(r.template.items)).toBe("kaigong");
  });

  it("accepts a template without a 开工 milestone: the latest sink stands in", () => {
    const none = minimal();
    none.items.pop();
    none.dependencies.pop();
    const r = validateTemplate(none, opts);
    if (!r.ok) throw new Error(describeProblems(r.problems));
    expect(findStartKey(r.template.items)).toBeNull();

    // key "start" no longer makes an item the 开工 milestone, nor obliges it to be one
    const completion = minimal();
    completion.items[3].name = "竣工";
    const c = validateTemplate(completion, opts);
    if (!c.ok) throw new Error(describeProblems(c.problems));
    expect(findStartKey(c.template.items)).toBeNull();
    const owner = minimal();
    owner.items[3] = { key: "start", name: "开始施工", kind: "owner", stage: 3, plannedDuration: 0 };
    expect(validateTemplate(owner, opts).ok).toBe(true);
  });

  it("refuses a second 开工 milestone at its path, naming both keys", () => {
    const json = minimal();
    json.items.push({ key: "kg", name: " 开工 ", kind: "milestone" }); // the schema trims names
    json.dependencies.push({ from: "filing", to: "kg" });
    expect(problemsOf(json)).toEqual([
      {
        file: "inline.json",
        path: "items[4]",
        message: "开工里程碑只能有一个：事项「kg」与 items[3]「start」都是名为「开工」的里程碑（milestone）",
      },
    ]);
    // also when the shape is broken elsewhere (the graph rules then run on the raw JSON)
    json.items[1].plannedDuration = "二十天";
    expect(problemsOf(json).map((p) => p.path)).toEqual(["items[1].plannedDuration", "items[4]"]);
    // an approval named 开工 is not a milestone, so not a second one
    const approval = minimal();
    approval.items.push({ key: "kg", name: "开工", kind: "approval", department: "住建", stage: 3, statutoryLimit: 1 });
    expect(validateTemplate(approval, opts).ok).toBe(true);
  });

  it("keeps the milestone rules for the 开工 milestone", () => {
    const busy = minimal();
    busy.items[3].department = "住建";
    busy.items[3].promisedLimit = 3;
    expect(problemsOf(busy).map((p) => p.path)).toEqual(["items[3].department", "items[3].promisedLimit"]);
  });

  it("rejects things that are not a template at all", () => {
    expect(problemsOf(null)).toEqual([{ file: "inline.json", path: "$", message: expect.stringContaining("类型错误") }]);
    expect(problemsOf([]).map((p) => p.path)).toEqual(["$"]);
    expect(problemsOf({}).map((p) => p.path)).toEqual(["key", "version", "name", "items"]);
  });

  it("parseTemplateText turns JSON syntax errors into a problem and otherwise validates", () => {
    const bad = parseTemplateText('{"key": "x",\n  "items": [}', opts);
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.problems).toHaveLength(1);
      expect(bad.problems[0]).toMatchObject({ file: "inline.json", path: "$" });
      expect(bad.problems[0].message).toContain("JSON 语法错误");
      expect(bad.problems[0].message).toMatch(/第 2 行|line 2/);
    }
    const empty = parseTemplateText("", opts);
    expect(!empty.ok && empty.problems[0].message).toContain("JSON 语法错误");
    const good = parseTemplateText("\uFEFF" + JSON.stringify(minimal()), opts);
    expect(good.ok && good.template.key).toBe("mini");
    const invalid = parseTemplateText(JSON.stringify({ ...minimal(), version: 0 }), opts);
    expect(!invalid.ok && invalid.problems.map((p) => p.path)).toEqual(["version"]);
  });

  it("jsonErrorOffset agrees with JSON.parse", () => {
    const samples = [
      JSON.stringify(minimal(), null, 2),
      '{"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"], "b": {}}',
      " [ ] ",
      '"中文"',
    ];
    for (const s of samples) {
      expect(() => JSON.parse(s)).not.toThrow();
      expect(jsonErrorOffset(s), s).toBeNull();
    }
    const broken: [string, number][] = [
      ['{"a": 1,}', 8],
      ["[1, 2", 5],
      ['{"a": 01}', 7],
      ["{'a': 1}", 1],
      ['{"a": 1} x', 9],
      ["", 0],
    ];
    for (const [s, at] of broken) {
      expect(() => JSON.parse(s)).toThrow();
      expect(jsonErrorOffset(s), s).toBe(at);
    }
  });

  it("describeProblems prints one line per problem", () => {
    expect(
      describeProblems([
        { file: "templates/x.json", path: "items[3].department", message: "未知部门「规划局」" },
        { file: "templates/x.json", path: "dependencies", message: "依赖关系存在环：a → b → a" },
      ]),
    ).toBe("templates/x.json: items[3].department: 未知部门「规划局」\ntemplates/x.json: dependencies: 依赖关系存在环：a → b → a");
  });
});
