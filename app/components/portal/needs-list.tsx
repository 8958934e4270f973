import type { PortalNeeds, PortalMaterialRef } from "~/services/portal.server";
import { Badge } from "~/components/ui";
import { UploadAnswer, UploadButton } from "./upload-button";

function MaterialLine({ m }: { m: PortalMaterialRef }) {
  return (
    <li className="rounded border border-slate-100 bg-slate-50 px-3 py-2">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="font-medium text-slate-800">{m.name}</span>
        {m.submitted ? <Badge tone="blue">已提交，待代办员确认</Badge> : <Badge tone="red">待提交</Badge>}
      </div>
      {m.materialId !== null ? (
        <UploadButton materialId={m.materialId} name={m.name} label={m.submitted ? "重新上传" : "上传"} />
      ) : (
        <p className="mt-1 text-xs text-slate-500">此材料不在材料清单中，请联系代办员提交。</p>
      )}
    </li>
  );
}

/**
 * 需要您提供: first what a department sent back (补正, with its reason and the
 * date to bring it back by), then the 容缺 promises, then every material still
 * missing — a material the officer returned reads 已退回 with the reason.
 */
export function NeedsList({ needs }: { needs: PortalNeeds }) {
  const empty = needs.corrections.length === 0 && needs.commitments.length === 0 && needs.materials.length === 0;
  return (
    <section aria-labelledby="needs-title" className="rounded-lg border-2 border-amber-300 bg-white shadow-sm" data-testid="portal-needs">
      <header className="flex items-center justify-between gap-2 border-b border-amber-100 bg-amber-50 px-4 py-3">
        <h2 id="needs-title" className="text-base font-semibold text-amber-900">
          需要您提供
        </h2>
        <Badge tone={needs.count ? "red" : "green"} className="shrink-0">{needs.count ? `${needs.count} 项待办` : "暂无"}</Badge>
      </header>
      <div className="space-y-5 p-4">
        <UploadAnswer />
        {empty ? <p className="text-sm text-slate-500">目前没有需要您提交的材料。有新的要求时，我们会第一时间通知您。</p> : null}

        {needs.corrections.length ? (
          <div className="space-y-3" data-testid="portal-corrections">
            <h3 className="text-sm font-semibold text-slate-700">补正要求</h3>
            {needs.corrections.map((c) => (
              <article key={c.key} className="rounded-md border border-red-200 p-3" data-testid={`portal-correction-${c.key}`}>
                <div className="flex flex-wrap items-center gap-2">
                  <h4 className="font-medium text-slate-900">{c.name}</h4>
                  {c.departmentName ? <span className="text-xs text-slate-500">{c.departmentName}</span> : null}
                </div>
                <p className="mt-1 text-sm text-slate-700">
                  {c.reason ? <>原因：{c.reason}</> : "部门要求补正材料。"}
                </p>
                <p className={c.late ? "mt-1 text-sm font-medium text-red-700" : "mt-1 text-sm text-slate-700"}>
                  {c.deadlineOn ? `请于 ${c.deadlineOn} 前提交${c.late ? "（已逾期，请尽快）" : ""}` : "请尽快提交"}
                  {c.requestedOn ? <span className="text-xs text-slate-500">（{c.requestedOn} 提出）</span> : null}
                </p>
                {c.materials.length ? (
                  <ul className="mt-2 space-y-2">
                    {c.materials.map((m) => (
                      <MaterialLine key={m.name} m={m} />
                    ))}
                  </ul>
                ) : (
                  <p className="mt-1 text-xs text-slate-500">请按原因说明与代办员联系。</p>
                )}
              </article>
            ))}
          </div>
        ) : null}

        {needs.commitments.length ? (
          <div className="space-y-3" data-testid="portal-commitments">
            <h3 className="text-sm font-semibold text-slate-700">容缺承诺</h3>
            {needs.commitments.map((c) => (
              <article key={c.key} className="rounded-md border border-amber-200 p-3" data-testid={`portal-commitment-${c.key}`}>
                <h4 className="font-medium text-slate-900">{c.name}</h4>
                <p className="mt-1 text-sm text-slate-700">受理时您承诺于 {c.on} 前补齐以下材料：</p>
                <ul className="mt-2 space-y-2">
                  {c.materials.map((m) => (
                    <MaterialLine key={m.name} m={m} />
                  ))}
                </ul>
              </article>
            ))}
          </div>
        ) : null}

        {needs.materials.length ? (
          <div className="space-y-3" data-testid="portal-missing">
            <h3 className="text-sm font-semibold text-slate-700">尚缺材料</h3>
            <ul className="space-y-2">
              {needs.materials.map((m) => (
                <li key={m.id} className="rounded-md border border-slate-200 p-3" data-testid={`portal-material-${m.id}`}>
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="font-medium text-slate-900">{m.name}</span>
                    {m.rejected ? <Badge tone="red">已退回</Badge> : <Badge tone="yellow">待提交</Badge>}
                    {m.committed ? <Badge tone="blue">容缺承诺</Badge> : null}
                  </div>
                  {m.rejected && m.reason ? <p className="mt-1 text-sm text-red-700">退回原因：{m.reason}</p> : null}
                  <p className="mt-1 text-xs text-slate-500">
                    {m.deadlineOn ? `请于 ${m.deadlineOn} 前提交` : "请尽快提交"}
                    {m.items.length ? ` · 用于：${m.items.join("、")}` : ""}
                  </p>
                  {m.issuedBy ? (
                    <p className="mt-1 text-xs text-slate-500">由「{m.issuedBy}」办结后取得，无需另行上传。</p>
                  ) : (
                    <UploadButton materialId={m.id} name={m.name} />
                  )}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>
    </section>
  );
}
