import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { materials, projects, uploads } from "../../db/schema";
import { AppError } from "~/services/errors.server";
import { uploadMaterial } from "~/services/materials.server";
import { blobPath } from "~/services/upload-storage.server";
import { loadConfig } from "~/utils/config.server";
import { getDb } from "~/utils/db.server";
import { action as loginAction } from "~/routes/login";
import { action as materialsAction } from "~/routes/projects.$projectId.materials";
import { loader as uploadLoader } from "~/routes/uploads.$uploadId";
import { creditCode, ctxAt, insertProject, insertUser, TEST_PASSWORD, type TestUser } from "../factories";
import { minimalPdf, realDocx } from "../support/sample-files";

/*
 * Uploads checked by their bytes, through the real materials route and service:
 * a disguised file is refused with a Chinese message and leaves nothing behind;
 * a real one is stored under its sha256 and downloaded as an attachment.
 */

let proxy: TestUser;
let owner: TestUser;
let projectId: number;
let cookie: string;
const url = (path: string) => `http://localhost${path}`;
const args = (request: Request, params: Record<string, string>) => ({ request, params, context: {} });

function materialId(name: string): number {
  return getDb().get<{ id: number }>(sql`select id from materials where project_id = ${projectId} and name = ${name}`)!.id;
}

/** Every file under the upload directory, so a test sees exactly what was written. */
function storedFiles(): string[] {
  const dir = loadConfig().uploadDir;
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}

const state = () => ({
  uploads: getDb().get<{ n: number }>(sql`select count(*) as n from uploads`).n,
  material: getDb().select({ status: materials.status, uploadId: materials.uploadId }).from(materials).where(eq(materials.id, materialId("监理合同"))).get(),
  files: storedFiles(),
});

function post(file: File, accept = "application/json"): Promise<Response> {
  const fd = new FormData();
  fd.set("intent", "upload");
  fd.set("materialId", String(materialId("监理合同")));
  fd.set("file", file);
  const request = new Request(url(`/projects/${projectId}/materials`), { method: "POST", body: fd, headers: { Cookie: cookie, Accept: accept } });
  return materialsAction(args(request, { projectId: String(projectId) })) as Promise<Response>;
}

beforeEach(async () => {
  proxy = await insertUser({ role: "proxy" });
  projectId = insertProject(proxy, {
    name: "上传检查项目",
    enterprise: { name: "上传检查有限公司", creditCode: creditCode("91330100MA2M0091A") },
    templateKey: "general-industrial",
    signedOn: "2026-03-02",
    targetStartOn: "2026-09-30",
  });
  owner = await insertUser({ role: "enterprise", enterpriseId: getDb().select().from(projects).where(eq(projects.id, projectId)).get()!.enterpriseId });
  const res = (await loginAction(args(new Request(url("/login"), { method: "POST", body: new URLSearchParams({ login: proxy.login, password: TEST_PASSWORD }) }), {}))) as Response;
  cookie = (res.headers.get("Set-Cookie") ?? "").split(";")[0];
  expect(cookie).toMatch(/^gc_session=/);
});

describe("uploads checked by content", () => {
  it("refuses HTML named .pdf, even when the browser calls it a PDF: 422 in Chinese, no row, no file on disk", async () => {
    const before = state();
    expect(before).toMatchObject({ uploads: 0, files: [] });
    const fake = new File(["<html><body><script>alert(document.cookie)</script>营业执照</body></html>"], "x.pdf", { type: "application/pdf" });

    const json = await post(fake);
    expect(json.status).toBe(422);
    expect(await json.json()).toEqual({
      ok: false,
      message: "文件内容是网页或脚本（HTML/SVG/XML/JavaScript），与扩展名 .pdf 不符，请上传真实的 PDF 文件",
      fields: { file: "文件内容是网页或脚本（HTML/SVG/XML/JavaScript），与扩展名 .pdf 不符，请上传真实的 PDF 文件" },
    });

    // The plain form post gets the same message back on the project page.
    const form = await post(fake, "text/html");
    expect(form.status).toBe(303);
    expect(new URL(form.headers.get("Location")!, url("/")).searchParams.get("msg")).toMatch(/^文件内容是网页或脚本/);

    // Right magic, wrong extension: a Word file named .pdf.
    const docxAsPdf = await post(new File([new Uint8Array(await realDocx())], "合同.pdf", { type: "application/pdf" }));
    expect(docxAsPdf.status).toBe(422);
    expect((await docxAsPdf.json()).message).toBe("文件内容与扩展名 .pdf 不符，请上传真实的 PDF 文件");

    expect(state()).toEqual(before);
  });

  it("stores a real PDF under its sha256 and downloads it as an attachment with filename* and nosniff", async () => {
    const bytes = minimalPdf("contract");
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const res = await post(new File([new Uint8Array(bytes)], "监理合同（盖章）.pdf", { type: "application/pdf" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, message: "已上传「监理合同」：监理合同（盖章）.pdf" });

    const up = getDb().select().from(uploads).get()!;
    expect(up).toMatchObject({ sha256, originalName: "监理合同（盖章）.pdf", mimeType: "application/pdf", size: bytes.length });
    expect(state()).toMatchObject({ uploads: 1, material: { status: "received", uploadId: up.id }, files: [`${sha256.slice(0, 2)}/${sha256}`] });
    expect(readFileSync(blobPath(loadConfig().uploadDir, sha256)).equals(bytes)).toBe(true);

    const dl = (await uploadLoader(args(new Request(url(`/uploads/${up.id}`), { headers: { Cookie: cookie } }), { uploadId: String(up.id) }))) as Response;
    expect(dl.status).toBe(200);
    expect(dl.headers.get("Content-Type")).toBe("application/pdf");
    expect(dl.headers.get("Content-Disposition")).toBe(`attachment; filename="upload-${up.id}.pdf"; filename*=UTF-8''${encodeURIComponent("监理合同（盖章）.pdf")}`);
    expect(dl.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(Buffer.from(await dl.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("downloads a hostile file name cleaned and encoded: no header break, no hidden direction mark", async () => {
    const bytes = minimalPdf("name");
    const r = await uploadMaterial(ctxAt("2026-03-03"), owner, projectId, materialId("监理合同"), {
      name: 'x"\r\nSet-Cookie: a=b; 发票\u202Efdp.exe.pdf',
      type: "",
      bytes,
    });
    expect(r.upload.originalName).toBe("xSet-Cookie: a=b; 发票fdp.exe.pdf");
    const dl = (await uploadLoader(args(new Request(url(`/uploads/${r.upload.id}`), { headers: { Cookie: cookie } }), { uploadId: String(r.upload.id) }))) as Response;
    const cd = dl.headers.get("Content-Disposition")!;
    expect(cd).toBe(`attachment; filename="upload-${r.upload.id}.pdf"; filename*=UTF-8''${encodeURIComponent("xSet-Cookie: a=b; 发票fdp.exe.pdf")}`);
    expect(dl.headers.get("Set-Cookie")).toBeNull();
  });

  it("refuses a disguised attachment through the service too, with the field named", async () => {
    const e = await uploadMaterial(ctxAt("2026-03-03"), owner, projectId, materialId("监理合同"), {
      name: "图纸.png",
      type: "image/png",
      bytes: new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AppError);
    expect(e).toMatchObject({ status: 422, fields: { file: "文件内容是网页或脚本（HTML/SVG/XML/JavaScript），与扩展名 .png 不符，请上传真实的 PNG 文件" } });
    expect(state()).toMatchObject({ uploads: 0, files: [] });
  });
});
