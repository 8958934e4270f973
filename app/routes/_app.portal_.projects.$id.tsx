import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { NeedsList } from "~/components/portal/needs-list";
import { StageProgress } from "~/components/portal/stage-progress";
import { Alert, Badge } from "~/components/ui";
import { MAX_UPLOAD_BYTES } from "~/domain/material/upload-rules";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { portalProject, portalUpload } from "~/services/portal.server";
import { projectRatings, rateItem } from "~/services/ratings.server";
import { unreadMessagesByProject } from "~/services/messages.server";
import { RateItem } from "~/components/portal/rate-item";
import { isRatable } from "~/domain/rating/vocabulary";
import { readUploadForm } from "~/web/multipart.server";
import { routeId } from "~/web/params.server";
import { requireUser } from "~/web/session.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.project.name ?? "项目"} · 企业服务 · 绿色通道` }];

/*
 * /portal/projects/:id — outside /portal's own component (the trailing underscore)
 * so the home list is not computed again under every project page.
 */

async function requireEnterprise(request: Request) {
  const user = await requireUser(request);
  // Staff have the project page; to them this page does not exist.
  if (user.role !== "enterprise") throw new Response("页面不存在", { status: 404 });
  return user;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireEnterprise(request);
  try {
    const ctx = serviceContext();
    const id = routeId(params.id);
    const page = portalProject(ctx, user, id);
    return { ...page, ratings: Object.fromEntries(projectRatings(ctx, user, id)), unreadMessages: unreadMessagesByProject(ctx.db, user).get(id) ?? 0 };
  } catch (e) {
    if (e instanceof AppError) throw new Response(e.message, { status: e.status });
    throw e;
  }
}

const TOO_LARGE = "文件超过 20 MB 上限，请压缩或拆分后再上传";

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireEnterprise(request);
  const projectId = routeId(params.id);
  let materialId: number | null = null;
  try {
    const form = await readUploadForm(request, MAX_UPLOAD_BYTES, TOO_LARGE);
    if (form.get("intent") === "rate") {
      const itemKey = String(form.get("itemKey") ?? "");
      try {
        const r = rateItem(serviceContext(), user, projectId, itemKey, { score: form.get("score"), comment: form.get("comment") ?? undefined });
        return data({ ok: true, message: r.followUpActionItemId ? "感谢评价，已转联席会议协调人跟进整改" : "感谢您的评价", materialId: null, itemKey });
      } catch (e) {
        if (e instanceof AppError) return data({ ok: false, message: e.message, materialId: null, itemKey }, { status: e.status });
        throw e;
      }
    }
    if (form.get("intent") !== "upload") throw new AppError("bad_request", "未知的操作，请刷新页面后重试");
    materialId = Number(form.get("materialId"));
    const file = form.get("file");
    if (!file || typeof file === "string") throw new AppError("invalid", "请选择要上传的文件", { file: "请选择要上传的文件" });
    const done = await portalUpload(serviceContext(), user, projectId, materialId, { name: file.name, type: file.type, bytes: new Uint8Array(await file.arrayBuffer()) });
    const message = done.correction.length ? `${done.message}，已通知代办员确认补正材料` : `${done.message}，已通知代办员核验`;
    return data({ ok: true, message, materialId });
  } catch (e) {
    if (e instanceof AppError) return data({ ok: false, message: e.message, materialId, ...(e.fields ? { fields: e.fields } : {}) }, { status: e.status });
    throw e;
  }
}

export default function PortalProjectPage() {
  const { project, progress, stages, needs, proxies, ratings, unreadMessages } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const rateable = stages.flatMap((s) => s.items).filter((i) => isRatable(i));
  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <nav className="text-sm">
        <Link to="/portal" className="text-brand-700 hover:underline">
          ← 我的项目
        </Link>
      </nav>
      <header className="space-y-1">
        <h1 className="break-words text-lg font-semibold text-slate-900">{project.name}</h1>
        <p className="text-xs text-slate-500">
          {project.code} · {project.statusLabel}
        </p>
      </header>

      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid="portal-progress">
        <p className="text-sm leading-relaxed text-slate-800">
          项目签约已 <strong className="tabular-nums">{progress.daysSinceSigning}</strong> 天，审批事项已办结{" "}
          <strong className="tabular-nums">
            {progress.done}/{progress.total}
          </strong>{" "}
          项。
          {progress.atRisk ? (
            <>
              按目前进度，预计 <strong className="text-red-700">{progress.forecastStartOn}</strong> 开工，晚于计划的 {project.targetStartOn}，代办员正在协调。
            </>
          ) : (
            <>
              按目前进度，预计 <strong className="text-emerald-700">{progress.forecastStartOn}</strong> 可以开工，计划开工日期为 {project.targetStartOn}。
            </>
          )}
        </p>
        <div className="mt-2 flex flex-wrap gap-2">
          <Badge tone={progress.atRisk ? "red" : "green"}>{progress.atRisk ? "开工目标有风险" : "按计划推进"}</Badge>
          {progress.provisional ? <Badge tone="yellow">部分日期为暂估</Badge> : null}
        </div>
        {proxies.length ? (
          <p className="mt-3 text-sm text-slate-600">
            您的代办员：
            {proxies.map((p, i) => (
              <span key={i} className="mr-3 inline-block">
                {p.displayName}
                {p.phone ? (
                  <a href={`tel:${p.phone}`} className="ml-1 text-brand-700 underline">
                    {p.phone}
                  </a>
                ) : null}
              </span>
            ))}
          </p>
        ) : null}
      </section>

      <NeedsList needs={needs} />

      <Link
        to={`/portal/projects/${project.id}/messages`}
        className="flex items-center justify-between rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-sm hover:bg-slate-50"
        data-testid="portal-messages-link"
      >
        <span className="font-medium text-slate-800">给代办员留言</span>
        <span className="text-brand-700">{unreadMessages ? `${unreadMessages} 条新留言 →` : "查看留言 →"}</span>
      </Link>

      <section aria-labelledby="stages-title" className="space-y-2">
        <h2 id="stages-title" className="text-base font-semibold text-slate-800">
          审批进度
        </h2>
        {stages.length ? <StageProgress stages={stages} /> : <Alert tone="blue">审批事项尚未建立。</Alert>}
      </section>

      {rateable.length ? (
        <section aria-labelledby="rate-title" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid="portal-ratings">
          <h2 id="rate-title" className="text-base font-semibold text-slate-800">
            办结事项评价（好差评）
          </h2>
          {rateable.map((i) => (
            <div key={i.key} className="space-y-1 border-t border-slate-100 pt-3 first:border-t-0 first:pt-0">
              <p className="text-sm font-medium text-slate-700">
                {i.name}
                <span className="ml-2 text-xs text-slate-500">{i.departmentName ?? ""}</span>
              </p>
              {answer && "itemKey" in answer && answer.itemKey === i.key && answer.ok ? <Alert tone="green">{answer.message}</Alert> : null}
              <RateItem itemKey={i.key} itemName={i.name} rating={ratings[i.key] ?? null} error={answer && "itemKey" in answer && answer.itemKey === i.key && !answer.ok ? answer.message : null} />
            </div>
          ))}
        </section>
      ) : null}
    </div>
  );
}
