import { asc } from "drizzle-orm";
import { enterprises } from "../../db/schema";
import { decide, type Actor } from "~/domain/access/policy";
import { shanghaiToday } from "~/domain/calendar";
import type { ServiceContext } from "./context.server";
import { forbidden } from "./errors.server";
import { listProxyOfficers } from "./project-lifecycle.server";
import { getTemplate, listTemplates, templateGraph } from "./template-library.server";

/** Industries offered as suggestions (free text is accepted): the usual 重点项目 sectors. */
export const COMMON_INDUSTRIES = ["装备制造", "新材料", "新能源", "集成电路", "生物医药", "数字经济", "现代物流", "汽车零部件", "食品加工", "纺织", "文旅", "基础设施"];

/** What the intake form (/projects/new) offers: templates, registered enterprises, proxy officers. */
export function loadIntakeForm(ctx: ServiceContext, actor: Actor) {
  if (!decide(actor, "project.create").allowed) throw forbidden("只有代办员或管理员可以创建项目");
  const { db } = ctx;
  // Newest version of each key; one that cannot be used now (a department missing or switched
  // off) is listed with the reason rather than hidden, so the officer knows whom to ask.
  const templates = listTemplates(db).map((summary) => {
    const { template } = getTemplate(db, summary.key);
    return {
      key: summary.key,
      name: summary.name,
      version: summary.latestVersion,
      items: template.items.filter((i) => i.kind !== "milestone").length,
      departments: new Set(template.items.map((i) => i.department).filter(Boolean)).size,
      unusableReason: summary.unusableReason,
      graph: templateGraph(template),
    };
  });
  return {
    today: shanghaiToday(ctx.now),
    templates,
    enterprises: db.select({ id: enterprises.id, name: enterprises.name, creditCode: enterprises.creditCode }).from(enterprises).orderBy(asc(enterprises.name)).limit(5000).all(),
    proxies: listProxyOfficers(db),
    industries: COMMON_INDUSTRIES,
  };
}
