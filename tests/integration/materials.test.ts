import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import { beforeEach, describe, expect, it } from "vitest";
import { auditLog, materials, projects, uploads } from "../../db/schema";
import { AppError } from "~/services/errors.server";
import { recordItemEvent } from "~/services/items.server";
import { exportLedger, LEDGER_ITEM_HEADERS } from "~/services/ledger.server";
import { addContactLog, projectTimeline } from "~/services/logs.server";
import { listMaterials } from "~/services/material-views.server";
import { openUpload, uploadMaterial, verifyMaterial } from "~/services/materials.server";
import { noticeOf } from "~/services/notice.server";
import { loadProjectPage } from "~/services/project-page.server";
import { loadConfig } from "~/utils/config.server";
import { getDb } from "~/utils/db.server";
import { action as loginAction } from "~/routes/login";
import { action as materialsAction } from "~/routes/projects.$projectId.materials";
import { action as logsAction } from "~/routes/projects.$projectId.logs";
import { loader as uploadLoader } from "~/routes/uploads.$uploadId";
import { loader as ledgerLoader } from "~/routes/projects.$projectId.ledger[.xlsx]";
import { loader as noticeLoader } from "~/routes/_app.projects_.$projectId.notice";
import { creditCode, ctxAt, insertEnterprise, insertProject, insertUser, receiveMaterials, TEST_PASSWORD, type TestUser } from "../factories";
import { caught } from "../support/app-error";
import { makeZip, minimalJpeg, minimalOfd, minimalOle2, minimalPng, realDocx } from "../support/sample-files";

type User = TestUser;

let proxy: User;
let otherProxy: User;
let owner: User; // enterprise contact of the project's enterprise
let stranger: User; // enterprise contact of another enterprise
let staff: User; // 住建 department staff (the project has 住建 items)
let projectId: number;
let enterpriseId: number;

const PDF = new TextEncoder().encode("%PDF-1.4\n% 营业执照 test\n%%EOF\n");
const pdf = (name = "营业执照.pdf", bytes = PDF) => ({ name, type: "application/pdf", bytes });

/** Real bytes for a file name's type: uploads are checked by content. */
async function sampleOf(name: string): Promise<Uint8Array> {
  const ext = name.slice(name.lastIndexOf(".") + 1);
  const made: Record<string, () => Uint8Array | Promise<Uint8Array>> = { ofd: minimalOfd, jpeg: minimalJpeg, docx: realDocx, zip: () => makeZip({ "a.txt": name }), xls: minimalOle2 };
  return made[ext]();
}

function newProject(name: string, first17: string, signedOn = "2026-03-02") {
  return insertProject(proxy, {
    name,
    enterprise: { name: `${name}有限公司`, creditCode: creditCode(first17) },
    templateKey: "general-industrial",
    signedOn,
    targetStartOn: "2026-09-30",
  });
}

function materialId(name: string, pid = projectId): number {
  return getDb().get<{ id: number }>(sql`select id from materials where project_id = ${pid} and name = ${name}`)!.id;
}

function materialRow(id: number) {
  return getDb().select().from(materials).where(eq(materials.id, id)).get()!;
}


async function caughtAsync(fn: () => Promise<unknown>): Promise<AppError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected an AppError");
}

/** Every file under the upload directory (relative), so tests see exactly what was written. */
function storedFiles(): string[] {
  const dir = loadConfig().uploadDir;
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath ?? (d as unknown as { path: string }).path, d.name).slice(dir.length + 1))
    .sort();
}

function snapshot(pid = projectId) {
  const db = getDb();
  return {
    uploads: db.get<{ n: number }>(sql`select count(*) as n from uploads`).n,
    audit: db.get<{ n: number }>(sql`select count(*) as n from audit_log`).n,
    logs: db.get<{ n: number }>(sql`select count(*) as n from contact_logs`).n,
    materials: db.all(sql`select id, status, upload_id, note from materials where project_id = ${pid} order by id`),
    files: storedFiles(),
  };
}

beforeEach(async () => {
  proxy = await insertUser({ role: "proxy" }); // signs in with TEST_PASSWORD in the route tests
  otherProxy = await insertUser({ role: "proxy" });
  projectId = newProject("材料测试项目", "91330100MA2M0001A");
  enterpriseId = getDb().select().from(projects).where(eq(projects.id, projectId)).get()!.enterpriseId;
  owner = await insertUser({ role: "enterprise", enterpriseId });
  stranger = await insertUser({ role: "enterprise", enterpriseId: insertEnterprise("别家企业", "91330100MA2M0002B") });
  staff = await insertUser({ role: "dept", department: "住建" });
});

/*
 * What earlier steps of a project's paperwork leave behind, for the tests that
 * start later: each test records them on its own project (their checks are in
 * the tests about those steps).
 */

/** The enterprise hands in `name` as a small PDF on 03-03; returns the upload id. */
async function handIn(name: string, file = pdf(`${name}.pdf`)): Promise<number> {
  return (await uploadMaterial(ctxAt("2026-03-03"), owner, projectId, materialId(name), file)).upload.id;
}

/** 营业执照 handed in and verified on 03-04. */
async function licenceVerified() {
  await handIn("营业执照", pdf());
  verifyMaterial(ctxAt("2026-03-04"), proxy, projectId, materialId("营业执照"), { verified: true, note: "原件已核对" });
}

/** 授权委托书 handed in, then sent back on 03-04 for a missing signature. */
async function letterSentBack() {
  await handIn("授权委托书");
  verifyMaterial(ctxAt("2026-03-04"), proxy, projectId, materialId("授权委托书"), { verified: false, note: "缺少法定代表人签字" });
}

/**
 * 备案 accepted on 03-05 and sent back for correction on 03-06, two materials named.
 * Whatever 备案 still lacks on 03-05 is accepted as 容缺, to be supplied by its due date 03-06.
 */
function filingInCorrection() {
  const ctx = ctxAt("2026-03-06");
  const lacking = getDb()
    .all<{ name: string }>(sql`select m.name from materials m join item_materials im on im.material_id = m.id join items i on i.id = im.item_id where i.project_id = ${projectId} and i.key = 'filing' and m.status = 'missing' order by m.id`)
    .map((m) => m.name);
  recordItemEvent(ctx, proxy, projectId, "filing", { type: "accept", on: "2026-03-05", ...(lacking.length ? { deferredMaterials: lacking, commitmentOn: "2026-03-06" } : {}) });
  recordItemEvent(ctx, proxy, projectId, "filing", {
    type: "request_correction",
    on: "2026-03-06",
    note: "申请表签章不清晰",
    missingMaterials: ["项目备案申请表", "授权委托书"],
  });
}

describe("materials checklist", () => {
  it("is deduplicated per project: 营业执照 is one material needed by at least 10 items", () => {
    const list = listMaterials(ctxAt("2026-03-02"), proxy, projectId);
    const names = list.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    expect(list.length).toBe(47); // unique material names in the general-industrial template
    const licence = list.filter((m) => m.name === "营业执照");
    expect(licence).toHaveLength(1);
    expect(licence[0].items.length).toBeGreaterThanOrEqual(10);
    expect(licence[0].items[0]).toEqual({ key: "filing", name: "企业投资项目备案", status: "pending", statusLabel: "待办理" });
    expect(licence[0].status).toBe("missing");
    expect(licence[0].upload).toBeNull();
  });

  it("dates each missing material by the planned start of the earliest unaccepted item needing it", () => {
    const list = listMaterials(ctxAt("2026-03-02"), proxy, projectId);
    const by = (n: string) => list.find((m) => m.name === n)!;
    // 备案 is ready today, so everything it needs is needed today.
    expect(by("营业执照").deadlineOn).toBe("2026-03-02");
    expect(by("项目备案申请表").deadlineOn).toBe("2026-03-02");
    // 施工合同 is needed only by the construction permit, far down the graph.
    const contract = by("施工合同");
    expect(contract.items.map((i) => i.key)).toEqual(["construction-permit"]);
    expect(contract.deadlineOn! > "2026-05-01").toBe(true);
    // Missing materials come first, most urgent at the top.
    const deadlines = list.filter((m) => m.status === "missing" && m.deadlineOn).map((m) => m.deadlineOn!);
    expect(deadlines).toEqual([...deadlines].sort());
  });
});

describe("uploads", () => {
  it("stores the bytes under their sha256, marks the material received and audits it, in one go", async () => {
    const id = materialId("营业执照");
    const res = await uploadMaterial(ctxAt("2026-03-03"), owner, projectId, id, pdf());
    const sha = createHash("sha256").update(PDF).digest("hex");
    expect(res.upload.sha256).toBe(sha);
    const path = join(loadConfig().uploadDir, sha.slice(0, 2), sha);
    expect(readFileSync(path)).toEqual(Buffer.from(PDF));
    expect(storedFiles()).toEqual([`${sha.slice(0, 2)}/${sha}`]); // no temp files left behind

    const m = materialRow(id);
    expect(m.status).toBe("received");
    expect(m.uploadId).toBe(res.upload.id);
    const up = getDb().select().from(uploads).where(eq(uploads.id, res.upload.id)).get()!;
    expect(up).toMatchObject({ projectId, sha256: sha, originalName: "营业执照.pdf", mimeType: "application/pdf", size: PDF.byteLength, uploadedByUserId: owner.id });
    const audit = getDb().select().from(auditLog).where(eq(auditLog.action, "material.upload")).all();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorUserId: owner.id, entityType: "material", entityId: id, projectId });

    const listed = listMaterials(ctxAt("2026-03-03"), owner, projectId).find((m) => m.id === id)!;
    expect(listed.upload).toMatchObject({ id: res.upload.id, originalName: "营业执照.pdf", size: PDF.byteLength });
  });

  it("stores the same bytes once, however many times they are uploaded", async () => {
    const r0 = await uploadMaterial(ctxAt("2026-03-03"), owner, projectId, materialId("营业执照"), pdf());
    const before = storedFiles();
    expect(before).toEqual([`${r0.upload.sha256.slice(0, 2)}/${r0.upload.sha256}`]);
    const r1 = await uploadMaterial(ctxAt("2026-03-03"), proxy, projectId, materialId("授权委托书"), pdf("委托书.pdf"));
    const r2 = await uploadMaterial(ctxAt("2026-03-03"), proxy, projectId, materialId("项目备案申请表"), pdf("申请表.PDF"));
    expect(r1.upload.sha256).toBe(r0.upload.sha256);
    expect(r2.upload.sha256).toBe(r0.upload.sha256);
    expect(new Set([r0.upload.id, r1.upload.id, r2.upload.id]).size).toBe(3);
    expect(storedFiles()).toEqual(before);
  });

  it("accepts every allowed type, trusting the extension when the browser sends no specific MIME type", async () => {
    const id = materialId("宗地红线图");
    for (const [name, type] of [
      ["红线图.ofd", ""],
      ["红线图.jpeg", "image/jpeg"],
      ["红线图.docx", "application/octet-stream"],
      ["红线图.zip", "application/x-zip-compressed"],
      ["红线图.xls", "application/vnd.ms-excel"],
    ]) {
      const r = await uploadMaterial(ctxAt("2026-03-03"), owner, projectId, id, { name, type, bytes: await sampleOf(name) });
      expect(r.status).toBe("received");
    }
    const up = getDb().select().from(uploads).where(eq(uploads.id, materialRow(id).uploadId!)).get()!;
    expect(up.mimeType).toBe("application/vnd.ms-excel");
    // A path in the name is dropped: only the base name is kept.
    const r = await uploadMaterial(ctxAt("2026-03-03"), owner, projectId, id, { name: "C:\\fakepath\\..\\红线图.png", type: "image/png", bytes: minimalPng() });
    expect(r.upload.originalName).toBe("红线图.png");
  });

  it("rejects a file that is too large, of a forbidden type, disguised or empty with 422, changing nothing", async () => {
    const id = materialId("规划条件");
    const before = snapshot();
    const cases: [string, { name: string; type: string; bytes: Uint8Array }, RegExp][] = [
      ["too large", { name: "大文件.pdf", type: "application/pdf", bytes: new Uint8Array(20 * 1024 * 1024 + 1) }, /超过 20 MB/],
      ["exe", { name: "病毒.exe", type: "application/x-msdownload", bytes: PDF }, /不支持的文件类型「\.exe」/],
      ["html", { name: "page.html", type: "text/html", bytes: PDF }, /不支持的文件类型/],
      ["no extension", { name: "README", type: "application/pdf", bytes: PDF }, /不支持的文件类型/],
      ["disguised", { name: "发票.pdf", type: "text/html", bytes: PDF }, /与扩展名「\.pdf」不符/],
      ["empty", { name: "空.pdf", type: "application/pdf", bytes: new Uint8Array(0) }, /为空/],
      ["no file", { name: "", type: "", bytes: new Uint8Array(0) }, /请选择/],
    ];
    for (const [label, file, msg] of cases) {
      const e = await caughtAsync(() => uploadMaterial(ctxAt("2026-03-03"), owner, projectId, id, file));
      expect(e.status, label).toBe(422);
      expect(e.message, label).toMatch(msg);
    }
    expect(snapshot()).toEqual(before);
    // Exactly 20 MB is within the limit.
    const exactly = new Uint8Array(20 * 1024 * 1024);
    exactly.set(PDF);
    const ok = await uploadMaterial(ctxAt("2026-03-03"), owner, projectId, id, { name: "刚好.pdf", type: "application/pdf", bytes: exactly });
    expect(ok.upload.size).toBe(20 * 1024 * 1024);
  });

  it("hides another enterprise's project (404) and refuses uploads by department staff and unassigned officers (403)", async () => {
    const upId = await handIn("营业执照", pdf());
    const elsewhere = newProject("另一个项目", "91330100MA2M0003C");
    const before = snapshot();
    const id = materialId("环境影响报告表");
    expect(caught(() => listMaterials(ctxAt("2026-03-03"), stranger, projectId)).status).toBe(404);
    expect((await caughtAsync(() => uploadMaterial(ctxAt("2026-03-03"), stranger, projectId, id, pdf()))).status).toBe(404);
    const hidden = caught(() => openUpload(ctxAt("2026-03-03"), stranger, upId));
    expect(hidden.status).toBe(404);
    expect(hidden.message).toBe("文件不存在或无权查看");
    expect(caught(() => openUpload(ctxAt("2026-03-03"), owner, 999_999)).status).toBe(404);

    expect((await caughtAsync(() => uploadMaterial(ctxAt("2026-03-03"), staff, projectId, id, pdf()))).status).toBe(403);
    expect((await caughtAsync(() => uploadMaterial(ctxAt("2026-03-03"), otherProxy, projectId, id, pdf()))).status).toBe(403);
    // A material of another project through this project's id is not found.
    expect((await caughtAsync(() => uploadMaterial(ctxAt("2026-03-03"), proxy, projectId, materialId("营业执照", elsewhere), pdf()))).status).toBe(404);
    expect(snapshot()).toEqual(before);

    // Department staff of an involved department may look and download, the enterprise too.
    expect(listMaterials(ctxAt("2026-03-03"), staff, projectId).length).toBe(47);
    const opened = openUpload(ctxAt("2026-03-03"), owner, upId);
    expect(opened).toMatchObject({ originalName: "营业执照.pdf", mimeType: "application/pdf", size: PDF.byteLength });
    expect(readFileSync(opened.path)).toEqual(Buffer.from(PDF));
  });
});

describe("verification", () => {
  it("received → verified; verifying twice or verifying a missing material is a conflict (409)", async () => {
    await handIn("营业执照", pdf());
    const id = materialId("营业执照");
    const missing = materialId("竞买申请书");
    expect(verifyMaterial(ctxAt("2026-03-04"), proxy, projectId, id, { verified: true, note: "原件已核对" }).status).toBe("verified");
    expect(materialRow(id)).toMatchObject({ status: "verified", note: "原件已核对" });
    const again = caught(() => verifyMaterial(ctxAt("2026-03-04"), proxy, projectId, id, { verified: true }));
    expect(again.status).toBe(409);
    const e = caught(() => verifyMaterial(ctxAt("2026-03-04"), proxy, projectId, missing, { verified: true }));
    expect(e.status).toBe(409);
    expect(e.message).toMatch(/尚未提交/);
    expect(materialRow(missing).status).toBe("missing");
    const audit = getDb().select().from(auditLog).where(eq(auditLog.action, "material.verify")).all();
    expect(audit).toHaveLength(1);
  });

  it("rejection sends a material back to missing with the reason, which is required", async () => {
    await handIn("授权委托书");
    const id = materialId("授权委托书");
    expect(caught(() => verifyMaterial(ctxAt("2026-03-04"), proxy, projectId, id, { verified: false })).status).toBe(422);
    expect(caught(() => verifyMaterial(ctxAt("2026-03-04"), proxy, projectId, id, { verified: "yes" })).status).toBe(422);
    expect(materialRow(id).status).toBe("received");
    verifyMaterial(ctxAt("2026-03-04"), proxy, projectId, id, { verified: false, note: "缺少法定代表人签字" });
    const listed = listMaterials(ctxAt("2026-03-04"), owner, projectId).find((m) => m.id === id)!;
    expect(listed).toMatchObject({ status: "missing", rejected: true, note: "缺少法定代表人签字" });
    expect(listed.upload).toMatchObject({ originalName: "授权委托书.pdf" }); // the rejected file stays visible
  });

  it("only the assigned officer verifies: enterprise and department staff get 403, another enterprise 404", async () => {
    await handIn("项目备案申请表");
    const id = materialId("项目备案申请表");
    expect(caught(() => verifyMaterial(ctxAt("2026-03-04"), owner, projectId, id, { verified: true })).status).toBe(403);
    expect(caught(() => verifyMaterial(ctxAt("2026-03-04"), staff, projectId, id, { verified: true })).status).toBe(403);
    expect(caught(() => verifyMaterial(ctxAt("2026-03-04"), otherProxy, projectId, id, { verified: true })).status).toBe(403);
    expect(caught(() => verifyMaterial(ctxAt("2026-03-04"), stranger, projectId, id, { verified: true })).status).toBe(404);
    expect(materialRow(id).status).toBe("received");
  });

  it("a new upload of a verified material needs checking again", async () => {
    await licenceVerified();
    const id = materialId("营业执照");
    expect(materialRow(id)).toMatchObject({ status: "verified", note: "原件已核对" });
    await uploadMaterial(ctxAt("2026-03-05"), owner, projectId, id, pdf("营业执照（新）.pdf", new TextEncoder().encode("%PDF-1.4 new")));
    expect(materialRow(id)).toMatchObject({ status: "received", note: null });
    verifyMaterial(ctxAt("2026-03-05"), proxy, projectId, id, { verified: true });
  });
});

describe("一次性告知书", () => {
  it("lists what is still missing or sent back, with deadlines, and items in correction with their missing materials", async () => {
    await licenceVerified();
    await handIn("项目备案申请表");
    await letterSentBack();
    filingInCorrection();
    const ctx = ctxAt("2026-03-06");
    const n = noticeOf(ctx, owner, projectId);
    expect(n.project.name).toBe("材料测试项目");
    expect(n.enterprise.name).toBe("材料测试项目有限公司");
    expect(n.proxies.map((p) => p.displayName)).toEqual([`测试${proxy.login}`]);
    expect(n.today).toBe("2026-03-06");

    const names = n.materials.map((m) => m.name);
    expect(names).not.toContain("营业执照"); // verified
    expect(names).not.toContain("项目备案申请表"); // received, awaiting the check
    const sentBack = n.materials.find((m) => m.name === "授权委托书")!;
    expect(sentBack).toMatchObject({ rejected: true, note: "缺少法定代表人签字" });
    const contract = n.materials.find((m) => m.name === "施工合同")!;
    expect(contract.deadlineOn).toMatch(/^2026-/);
    expect(contract.items).toEqual([{ key: "construction-permit", name: "建筑工程施工许可证（含质量安全监督手续）" }]);
    expect(n.materials.every((m) => m.items.length > 0)).toBe(true);

    expect(n.corrections).toEqual([
      {
        key: "filing",
        name: "企业投资项目备案",
        departmentName: expect.any(String),
        requestedOn: "2026-03-06",
        missingMaterials: ["项目备案申请表", "授权委托书"],
        note: "申请表签章不清晰",
        // The last day the corrections can come back and 备案 still finish by its latest finish in the 倒排 plan.
        deadlineOn: "2026-04-22",
        late: false,
      },
    ]);
    expect(caught(() => noticeOf(ctx, stranger, projectId)).status).toBe(404);
  });
});

describe("代办台账 export", () => {
  it("writes 项目信息 and 审批事项 sheets, one row per item, bold frozen header and warning fills", async () => {
    const pid = newProject("台账测试项目", "91330100MA2M0004D");
    // filing: promised 1 WD, accepted Mon 03-02 → due 03-03, red on 03-10.
    receiveMaterials(pid);
    recordItemEvent(ctxAt("2026-03-02"), proxy, pid, "filing", { type: "accept", on: "2026-03-02" });
    // 建设用地规划许可证: promised 5 WD, accepted Wed 03-04 → due Wed 03-11, 1 WD left on 03-10 → yellow.
    recordItemEvent(ctxAt("2026-03-04"), proxy, pid, "land-use-planning-permit", { type: "accept", on: "2026-03-04" });

    const buf = await exportLedger(ctxAt("2026-03-10"), proxy, pid);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(["项目信息", "审批事项"]);

    const info = wb.getWorksheet("项目信息")!;
    const facts = new Map<string, unknown>();
    info.eachRow((row, n) => n > 1 && facts.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(facts.get("项目名称")).toBe("台账测试项目");
    expect(facts.get("计划开工日期")).toBe("2026-09-30");
    expect(facts.get("建设单位")).toBe("台账测试项目有限公司");

    const sheet = wb.getWorksheet("审批事项")!;
    const header = sheet.getRow(1);
    expect((header.values as unknown[]).slice(1)).toEqual([...LEDGER_ITEM_HEADERS]);
    expect(header.getCell(1).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(sheet.getColumn(2).width).toBeGreaterThan(20);
    expect(sheet.rowCount).toBe(1 + 29);

    const col = (h: string) => LEDGER_ITEM_HEADERS.indexOf(h as (typeof LEDGER_ITEM_HEADERS)[number]) + 1;
    const rowOf = (name: string) => {
      let found: ExcelJS.Row | undefined;
      sheet.eachRow((r) => {
        if (r.getCell(col("事项")).value === name) found = r;
      });
      return found!;
    };
    const filing = rowOf("企业投资项目备案");
    expect(filing.getCell(col("部门")).value).toEqual(expect.any(String));
    expect(filing.getCell(col("状态")).value).toBe("办理中");
    expect(filing.getCell(col("承诺时限")).value).toBe(1);
    expect(filing.getCell(col("单位")).value).toBe("工作日");
    expect((filing.getCell(col("受理日期")).value as Date).toISOString().slice(0, 10)).toBe("2026-03-02");
    expect((filing.getCell(col("到期日")).value as Date).toISOString().slice(0, 10)).toBe("2026-03-03");
    expect(filing.getCell(col("剩余工作日")).value).toBe(-5);
    expect(filing.getCell(col("预警")).value).toBe("超期");
    expect((filing.getCell(col("事项")).fill as ExcelJS.FillPattern).fgColor?.argb).toBe("FFFFC7CE");

    const permit = rowOf("建设用地规划许可证");
    expect(permit.getCell(col("预警")).value).toBe("临期");
    expect(permit.getCell(col("剩余工作日")).value).toBe(1);
    expect((permit.getCell(col("阶段")).fill as ExcelJS.FillPattern).fgColor?.argb).toBe("FFFFEB9C");

    const start = rowOf("开工");
    expect(start.getCell(col("类型")).value).toBe("里程碑");
    expect(start.getCell(col("关键路径")).value).toBe("是");
    expect(start.getCell(col("预警")).value ?? "").toBe("");

    // The enterprise may export its own ledger; another enterprise may not even see it.
    await expect(exportLedger(ctxAt("2026-03-10"), owner, projectId)).resolves.toBeInstanceOf(Buffer);
    expect((await caughtAsync(() => exportLedger(ctxAt("2026-03-10"), stranger, pid))).status).toBe(404);
  });
});

describe("代办日志 and the timeline", () => {
  it("validates entries: a future date, an empty note or an unknown kind is 422 and writes nothing", () => {
    const before = snapshot();
    const ctx = ctxAt("2026-03-06");
    const e1 = caught(() => addContactLog(ctx, proxy, projectId, { on: "2026-03-07", kind: "contact", note: "明天再联系" }));
    expect([e1.status, e1.message]).toEqual([422, "日志日期不能晚于今天"]);
    const e2 = caught(() => addContactLog(ctx, proxy, projectId, { on: "2026-03-06", kind: "contact", note: "   " }));
    expect([e2.status, e2.message]).toEqual([422, "请填写日志内容"]);
    expect(caught(() => addContactLog(ctx, proxy, projectId, { on: "2026-03-06", kind: "phone", note: "x" })).status).toBe(422);
    expect(caught(() => addContactLog(ctx, proxy, projectId, { on: "2026-02-30", kind: "note", note: "x" })).status).toBe(422);
    expect(caught(() => addContactLog(ctx, proxy, projectId, {})).status).toBe(422);
    expect(caught(() => addContactLog(ctx, owner, projectId, { on: "2026-03-06", kind: "note", note: "x" })).status).toBe(403);
    expect(caught(() => addContactLog(ctx, staff, projectId, { on: "2026-03-06", kind: "note", note: "x" })).status).toBe(403);
    expect(caught(() => addContactLog(ctx, stranger, projectId, { on: "2026-03-06", kind: "note", note: "x" })).status).toBe(404);
    expect(snapshot()).toEqual(before);
  });

  it("a contact counts as progress for stall detection; an internal note does not", () => {
    const pid = newProject("日志进展项目", "91330100MA2M0005E");
    const last = () => getDb().select().from(projects).where(eq(projects.id, pid)).get()!.lastProgressOn;
    expect(last()).toBe("2026-03-02");
    addContactLog(ctxAt("2026-03-09"), proxy, pid, { on: "2026-03-06", kind: "note", note: "内部备注" });
    expect(last()).toBe("2026-03-02");
    addContactLog(ctxAt("2026-03-09"), proxy, pid, { on: "2026-03-05", kind: "visit", note: "上门走访" });
    expect(last()).toBe("2026-03-05");
    const stall = getDb().all<{ due_on: string }>(sql`select due_on from escalations where project_id = ${pid} and item_id is null and fired_at is null`);
    expect(stall).toEqual([{ due_on: "2026-03-05" }]);
  });

  it("merges logs, clock events and other audit rows, newest first, without duplicates", async () => {
    await letterSentBack();
    filingInCorrection();
    addContactLog(ctxAt("2026-03-06", "16:00"), proxy, projectId, { on: "2026-03-06", kind: "contact", note: "电话告知企业补正材料清单" });
    addContactLog(ctxAt("2026-03-06", "16:30"), proxy, projectId, { on: "2026-03-04", kind: "coordination", note: "与发改沟通备案材料要求" });
    const t = projectTimeline(ctxAt("2026-03-06"), owner, projectId);
    expect(new Set(t.map((e) => e.kind))).toEqual(new Set(["log", "event", "audit"]));
    // Newest first by business date, then by the moment recorded.
    for (let i = 1; i < t.length; i++) {
      const [a, b] = [t[i - 1], t[i]];
      expect(a.on > b.on || (a.on === b.on && a.at >= b.at), `${a.id} before ${b.id}`).toBe(true);
    }
    const log = t.find((e) => e.kind === "log" && e.detail === "电话告知企业补正材料清单")!;
    expect(log).toMatchObject({ on: "2026-03-06", title: "联系企业/部门", actorName: `测试${proxy.login}` });
    const correction = t.find((e) => e.kind === "event" && e.title === "企业投资项目备案 · 要求补正")!;
    expect(correction.detail).toBe("申请表签章不清晰；需补正材料：项目备案申请表、授权委托书");
    expect(correction.on).toBe("2026-03-06");
    // Clock events and log entries are not repeated from the audit log…
    expect(t.filter((e) => e.kind === "audit").map((e) => e.title)).not.toContain("系统记录（item.accept）");
    expect(t.some((e) => e.kind === "audit" && /log\./.test(e.title))).toBe(false);
    // …but material checks and the project's creation are there, creation last (oldest).
    expect(t.some((e) => e.kind === "audit" && e.title === "材料退回" && e.detail === "授权委托书：缺少法定代表人签字")).toBe(true);
    expect(t[t.length - 1]).toMatchObject({ kind: "audit", title: "创建项目", on: "2026-03-02" });
    // The back-dated coordination sorts under its own date, after the 03-05 acceptance.
    const iCoord = t.findIndex((e) => e.detail === "与发改沟通备案材料要求");
    const iAccept = t.findIndex((e) => e.title === "企业投资项目备案 · 受理");
    expect(iCoord).toBeGreaterThan(iAccept);

    expect(caught(() => projectTimeline(ctxAt("2026-03-06"), stranger, projectId)).status).toBe(404);
  });

  it("loads everything the project page's panels need, with what the viewer may do", async () => {
    await letterSentBack();
    filingInCorrection();
    const forProxy = loadProjectPage(ctxAt("2026-03-06"), proxy, projectId, null).panels;
    expect(forProxy.can).toEqual({ upload: true, verify: true, log: true });
    expect(forProxy.materials.length).toBe(47);
    // Newest first: the correction, the acceptance, the letter sent back, its upload, the project's creation.
    expect(forProxy.timeline.map((e) => [e.on, e.kind, e.title])).toEqual([
      ["2026-03-06", "event", "企业投资项目备案 · 要求补正"],
      ["2026-03-05", "event", "企业投资项目备案 · 受理"],
      ["2026-03-04", "audit", "材料退回"],
      ["2026-03-03", "audit", "上传材料"],
      ["2026-03-02", "audit", "创建项目"],
    ]);
    expect(loadProjectPage(ctxAt("2026-03-06"), owner, projectId, null).panels.can).toEqual({ upload: true, verify: false, log: false });
    expect(loadProjectPage(ctxAt("2026-03-06"), staff, projectId, null).panels.can).toEqual({ upload: false, verify: false, log: false });
    expect(caught(() => loadProjectPage(ctxAt("2026-03-06"), stranger, projectId, null).panels).status).toBe(404);
  });
});

describe("routes", () => {
  let cookie: string;
  const url = (path: string) => `http://localhost${path}`;
  const args = (request: Request, params: Record<string, string>) => ({ request, params, context: {} });

  beforeEach(async () => {
    const res = (await loginAction(args(new Request(url("/login"), { method: "POST", body: new URLSearchParams({ login: proxy.login, password: TEST_PASSWORD }) }), {}))) as Response;
    cookie = (res.headers.get("Set-Cookie") ?? "").split(";")[0];
    expect(cookie).toMatch(/^gc_session=/);
  });

  function uploadRequest(file: File, accept = "application/json", intent = "upload", id = materialId("监理合同")) {
    const fd = new FormData();
    fd.set("intent", intent);
    fd.set("materialId", String(id));
    fd.set("file", file);
    return new Request(url(`/projects/${projectId}/materials`), { method: "POST", body: fd, headers: { Cookie: cookie, Accept: accept } });
  }

  it("uploads a multipart file, answering JSON to scripts and a redirect with the outcome to forms", async () => {
    const json = (await materialsAction(args(uploadRequest(new File(["%PDF-1.4 contract"], "监理合同.pdf", { type: "application/pdf" })), { projectId: String(projectId) }))) as Response;
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({ ok: true, message: "已上传「监理合同」：监理合同.pdf" });
    expect(materialRow(materialId("监理合同")).status).toBe("received");

    const form = (await materialsAction(args(uploadRequest(new File(["x"], "a.exe", { type: "application/x-msdownload" }), "text/html"), { projectId: String(projectId) }))) as Response;
    expect(form.status).toBe(303);
    const loc = new URL(form.headers.get("Location")!, "http://localhost");
    expect(loc.pathname).toBe(`/projects/${projectId}`);
    expect(loc.searchParams.get("flash")).toBe("materials");
    expect(loc.searchParams.get("ok")).toBe("0");
    expect(loc.searchParams.get("msg")).toMatch(/不支持的文件类型/);
  });

  it("answers bad input with 4xx, never a 500", async () => {
    const p = { projectId: String(projectId) };
    const bad = (await materialsAction(args(uploadRequest(new File(["<html>"], "x.pdf", { type: "text/html" })), p))) as Response;
    expect(bad.status).toBe(422);
    expect((await bad.json()).ok).toBe(false);
    const unknown = (await materialsAction(args(uploadRequest(new File(["x"], "x.pdf"), "application/json", "explode"), p))) as Response;
    expect(unknown.status).toBe(400);
    const noMaterial = (await materialsAction(args(uploadRequest(new File(["x"], "x.pdf"), "application/json", "upload", 0), p))) as Response;
    expect(noMaterial.status).toBe(404);
    const verifyMissing = new Request(url(`/projects/${projectId}/materials`), {
      method: "POST",
      body: new URLSearchParams({ intent: "verify", materialId: String(materialId("竞买申请书")) }),
      headers: { Cookie: cookie, Accept: "application/json" },
    });
    expect(((await materialsAction(args(verifyMissing, p))) as Response).status).toBe(409);
    const garbled = new Request(url(`/projects/${projectId}/materials`), {
      method: "POST",
      body: "not multipart",
      headers: { Cookie: cookie, Accept: "application/json", "Content-Type": "multipart/form-data" },
    });
    expect(((await materialsAction(args(garbled, p))) as Response).status).toBe(400);
    const huge = new Request(url(`/projects/${projectId}/materials`), {
      method: "POST",
      body: "x",
      headers: { Cookie: cookie, Accept: "application/json", "Content-Type": "multipart/form-data; boundary=x", "Content-Length": String(30 * 1024 * 1024) },
    });
    expect(((await materialsAction(args(huge, p))) as Response).status).toBe(422);

    const future = new Request(url(`/projects/${projectId}/logs`), {
      method: "POST",
      body: new URLSearchParams({ on: "2999-01-01", kind: "contact", note: "未来" }),
      headers: { Cookie: cookie, Accept: "application/json" },
    });
    const res = (await logsAction(args(future, p))) as Response;
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ ok: false, message: "日志日期不能晚于今天" });
  });

  it("adds a 代办日志 entry from the form and redirects back to the project", async () => {
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const req = new Request(url(`/projects/${projectId}/logs`), {
      method: "POST",
      body: new URLSearchParams({ on: today, kind: "visit", note: "现场踏勘" }),
      headers: { Cookie: cookie },
    });
    const res = (await logsAction(args(req, { projectId: String(projectId) }))) as Response;
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toMatch(new RegExp(`^/projects/${projectId}\\?flash=timeline&ok=1&msg=.*#timeline$`));

    // Posted from the page with an item selected: the selection survives; a foreign Referer is ignored.
    const from = (referer: string) =>
      new Request(url(`/projects/${projectId}/logs`), {
        method: "POST",
        body: new URLSearchParams({ on: today, kind: "note", note: "备注" }),
        headers: { Cookie: cookie, Referer: referer },
      });
    const kept = (await logsAction(args(from(url(`/projects/${projectId}?item=filing&flash=materials`)), { projectId: String(projectId) }))) as Response;
    const loc = new URL(kept.headers.get("Location")!, "http://localhost");
    expect([loc.searchParams.get("item"), loc.searchParams.get("flash")]).toEqual(["filing", "timeline"]);
    const foreign = (await logsAction(args(from(`http://evil.example/projects/${projectId}?item=x`), { projectId: String(projectId) }))) as Response;
    expect(new URL(foreign.headers.get("Location")!, "http://localhost").searchParams.get("item")).toBeNull();
  });

  it("streams a download with its type and an encoded file name", async () => {
    const upId = await handIn("监理合同", { name: "监理合同.pdf", type: "application/pdf", bytes: new TextEncoder().encode("%PDF-1.4 contract") });
    expect(materialRow(materialId("监理合同")).uploadId).toBe(upId);
    const res = (await uploadLoader(args(new Request(url(`/uploads/${upId}`), { headers: { Cookie: cookie } }), { uploadId: String(upId) }))) as Response;
    expect(res.headers.get("Content-Type")).toBe("application/pdf");
    expect(res.headers.get("Content-Disposition")).toBe(
      `attachment; filename="upload-${upId}.pdf"; filename*=UTF-8''${encodeURIComponent("监理合同.pdf")}`,
    );
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(await res.text()).toBe("%PDF-1.4 contract");
    const missing = await uploadLoader(args(new Request(url("/uploads/abc"), { headers: { Cookie: cookie } }), { uploadId: "abc" })).catch((e) => e as Response);
    expect((missing as Response).status).toBe(404);
  });

  it("serves the ledger as an xlsx attachment and the notice page data", async () => {
    filingInCorrection();
    const p = { projectId: String(projectId) };
    const res = (await ledgerLoader(args(new Request(url(`/projects/${projectId}/ledger.xlsx`), { headers: { Cookie: cookie } }), p))) as Response;
    expect(res.headers.get("Content-Type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(res.headers.get("Content-Disposition")).toContain(`filename*=UTF-8''${encodeURIComponent("材料测试项目-代办台账.xlsx")}`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    expect(wb.getWorksheet("审批事项")!.rowCount).toBe(30);

    const data = (await noticeLoader(args(new Request(url(`/projects/${projectId}/notice`), { headers: { Cookie: cookie } }), p))) as { notice: { corrections: unknown[] } };
    expect(data.notice.corrections).toHaveLength(1);
    const notFound = await noticeLoader(args(new Request(url("/projects/999999/notice"), { headers: { Cookie: cookie } }), { projectId: "999999" })).catch((e) => e as Response);
    expect((notFound as Response).status).toBe(404);
  });
});
