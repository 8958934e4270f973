import { eq } from "drizzle-orm";
import { departments } from "../../db/schema";
import { TemplateError, type Template } from "~/domain/graph/template";
import type { Db } from "~/utils/db.server";
import { AppError } from "./errors.server";
import { getTemplateCatalog } from "./template-registry.server";

/** Codes of the departments new work may be given to. */
export function activeDepartmentCodes(db: Db): string[] {
  return db.select({ code: departments.code }).from(departments).where(eq(departments.active, true)).all().map((d) => d.code);
}

/**
 * The template a new project is created from: the newest version of `key`, checked
 * against the departments that exist now. A template that names a department the
 * deployment lacks is a configuration problem the administrator can fix, so it is a
 * 422 naming the department, never a 500.
 */
export function templateForNewProject(db: Db, key: string): Template {
  let catalog: Map<string, Template>;
  try {
    catalog = getTemplateCatalog(activeDepartmentCodes(db));
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    const mine = e.problems.filter((p) => p.file.endsWith(`/${key}.json`));
    const shown = (mine.length ? mine : e.problems).slice(0, 3).map((p) => `${p.path}: ${p.message}`).join("；");
    throw new AppError("invalid", `模板「${key}」暂不能使用：${shown}。请管理员在「系统管理 → 部门」中补齐或启用相应部门`, { templateKey: shown });
  }
  const t = catalog.get(key);
  if (!t) throw new AppError("invalid", `未知模板「${key}」`, { templateKey: "未知模板" });
  return t;
}
