import { useState } from "react";
import { Badge, Button, ButtonLink, Card, EmptyState, Input, Table, Td, Th, cx, FilterTabs, type Tone } from "~/components/ui";
import type { MaterialView, ProjectPanels } from "~/services/project-panels.server";
import { PanelFlash } from "./panel-flash";
import { CsrfField } from "~/components/security";

/**
 * The project's materials checklist, deduplicated across items
 * ("一次提交、多次复用"). Every action is an ordinary multipart/urlencoded post
 * to /projects/:id/materials, so it works without JavaScript; scripts only add
 * the filter and a size check before sending.
 */
export type MaterialsPanelData = Pick<ProjectPanels, "projectId" | "materials" | "can" | "limits" | "today">;

type Filter = "all" | "missing" | "received" | "verified";

const FILTERS: { value: Filter; label: string }[] = [
  { value: "all", label: "全部" },
  { value: "missing", label: "待提交" },
  { value: "received", label: "待核验" },
  { value: "verified", label: "已核验" },
];

function statusBadge(m: MaterialView) {
  let tone: Tone = "gray";
  let label = m.statusLabel;
  if (m.status === "missing") {
    tone = m.rejected ? "red" : m.stillNeeded ? "yellow" : "gray";
    label = m.rejected ? "已退回" : m.stillNeeded ? "待提交" : "无需提交";
  } else if (m.status === "received") {
    tone = "blue";
    label = "待核验";
  } else {
    tone = "green";
  }
  return <Badge tone={tone}>{label}</Badge>;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function MaterialsPanel({ data }: { data: MaterialsPanelData }) {
  const { projectId, materials, can, limits, today } = data;
  const [filter, setFilter] = useState<Filter>("all");
  const counts = {
    missing: materials.filter((m) => m.status === "missing" && m.stillNeeded).length,
    received: materials.filter((m) => m.status === "received").length,
    verified: materials.filter((m) => m.status === "verified").length,
  };
  const shown = filter === "all" ? materials : materials.filter((m) => m.status === filter);
  const action = `/projects/${projectId}/materials`;

  return (
    <section id="materials" aria-label="申报材料">
      <Card
        title={`申报材料（一次提交、多次复用）· 共 ${materials.length} 项`}
        actions={
          <>
            <ButtonLink to={`/projects/${projectId}/notice`} className="py-1 text-xs">
              一次性告知书
            </ButtonLink>
            <ButtonLink to={`/projects/${projectId}/ledger.xlsx`} reloadDocument className="py-1 text-xs">
              导出台账
            </ButtonLink>
          </>
        }
      >
        <PanelFlash panel="materials" />
        <div className="mb-3 flex flex-wrap items-center gap-2 text-sm">
          <span className="text-slate-600">
            待提交 <strong className="tabular-nums text-amber-700">{counts.missing}</strong> · 待核验{" "}
            <strong className="tabular-nums text-sky-700">{counts.received}</strong> · 已核验{" "}
            <strong className="tabular-nums text-emerald-700">{counts.verified}</strong>
          </span>
          <FilterTabs options={FILTERS} value={filter} onChange={setFilter} label="按状态筛选" className="ml-auto" />
        </div>
        {materials.length === 0 ? (
          <EmptyState title="本项目没有需要提交的材料" />
        ) : (
          // The file and action cells wrap (set once for the table, not per row) rather than widen it: every action stays in view.
          <Table className="border-0 [&_td:nth-child(5)]:max-w-[14rem] [&_td:nth-child(5)]:whitespace-normal [&_td:nth-child(6)]:min-w-[11rem] [&_td:nth-child(6)]:whitespace-normal">
            <thead>
              <tr>
                <Th>材料</Th>
                <Th>状态</Th>
                <Th>用于事项</Th>
                <Th>最迟提交</Th>
                <Th>文件</Th>
                {can.upload || can.verify ? <Th>操作</Th> : null}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {shown.map((m) => (
                <tr key={m.id} data-material={m.name} data-status={m.status}>
                  <Td className="whitespace-normal">
                    <div className="font-medium text-slate-800">{m.name}</div>
                    {m.rejected && m.note ? <div className="text-xs text-red-600">退回原因：{m.note}</div> : null}
                    {m.status === "verified" && m.note ? <div className="text-xs text-slate-500">{m.note}</div> : null}
                  </Td>
                  <Td>{statusBadge(m)}</Td>
                  <Td className="whitespace-normal text-xs text-slate-600">
                    <ItemsNeeding m={m} />
                  </Td>
                  <Td className="text-xs tabular-nums">
                    {m.status === "missing" && m.stillNeeded ? (
                      m.deadlineOn ? (
                        <span className={cx(m.deadlineOn <= today && "font-semibold text-red-600")}>{m.deadlineOn}</span>
                      ) : (
                        <span className="text-slate-500">尽快</span>
                      )
                    ) : (
                      <span className="text-slate-400">—</span>
                    )}
                  </Td>
                  <Td className="text-xs">
                    {m.upload ? (
                      <a
                        href={`/uploads/${m.upload.id}`}
                        className="text-brand-700 hover:underline"
                        title={`${m.upload.originalName}（${formatSize(m.upload.size)}）`}
                      >
                        <span className="inline-block max-w-[10rem] truncate align-bottom">{m.upload.originalName}</span>
                        <span className="ml-1 text-slate-400">{formatSize(m.upload.size)}</span>
                      </a>
                    ) : (
                      <span className="text-slate-400">—</span>
                    )}
                  </Td>
                  {can.upload || can.verify ? (
                    <Td className="text-xs">
                      <div className="flex flex-wrap items-start gap-2">
                        {can.upload ? <UploadForm action={action} m={m} limits={limits} /> : null}
                        {can.verify && m.status === "received" ? (
                          <form method="post" action={action}>
                            <CsrfField />
                            <input type="hidden" name="intent" value="verify" />
                            <input type="hidden" name="materialId" value={m.id} />
                            <Button type="submit" variant="secondary" className="py-0.5 text-xs">
                              核验通过
                            </Button>
                          </form>
                        ) : null}
                        {can.verify && m.status !== "missing" ? <RejectForm action={action} m={m} /> : null}
                      </div>
                    </Td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        <p className="mt-2 text-xs text-slate-500">
          支持 {limits.extensions.join("、")} 格式，单个文件不超过 {Math.round(limits.maxBytes / 1024 / 1024)} MB；同一材料上传一次即用于所有需要它的事项。
        </p>
      </Card>
    </section>
  );
}

function ItemsNeeding({ m }: { m: MaterialView }) {
  if (m.items.length === 0) return <span className="text-slate-400">—</span>;
  const first = m.items.slice(0, 2).map((i) => i.name).join("、");
  if (m.items.length <= 2) return <span>{first}</span>;
  return (
    <details>
      <summary className="cursor-pointer">
        {first} 等 <span className="tabular-nums">{m.items.length}</span> 项
      </summary>
      <ul className="mt-1 space-y-0.5">
        {m.items.map((i) => (
          <li key={i.key}>
            {i.name} <span className="text-slate-400">（{i.statusLabel}）</span>
          </li>
        ))}
      </ul>
    </details>
  );
}

function UploadForm({ action, m, limits }: { action: string; m: MaterialView; limits: MaterialsPanelData["limits"] }) {
  return (
    <details className="group">
      <summary className="cursor-pointer list-none rounded border border-slate-300 px-2 py-0.5 text-slate-700 hover:bg-slate-50">
        {m.upload ? "重新上传" : "上传"}
      </summary>
      <form method="post" action={action} encType="multipart/form-data" className="mt-2 flex flex-col gap-1">
        <CsrfField />
        <input type="hidden" name="intent" value="upload" />
        <input type="hidden" name="materialId" value={m.id} />
        <input
          type="file"
          name="file"
          required
          accept={limits.accept}
          aria-label={`选择「${m.name}」的文件`}
          className="block w-full max-w-[14rem] text-xs file:mr-2 file:rounded file:border-0 file:bg-slate-100 file:px-2 file:py-1 file:text-xs"
          onChange={(e) => {
            // A hint before sending 20 MB for nothing; the server enforces the same limit.
            const f = e.currentTarget.files?.[0];
            e.currentTarget.setCustomValidity(f && f.size > limits.maxBytes ? `文件超过 ${Math.round(limits.maxBytes / 1024 / 1024)} MB 上限` : "");
          }}
        />
        {m.status === "verified" ? <span className="text-amber-700">重新上传后需再次核验</span> : null}
        <Button type="submit" className="self-start py-0.5 text-xs">
          上传
        </Button>
      </form>
    </details>
  );
}

function RejectForm({ action, m }: { action: string; m: MaterialView }) {
  return (
    <details>
      <summary className="cursor-pointer list-none rounded border border-red-300 px-2 py-0.5 text-red-700 hover:bg-red-50">退回</summary>
      <form method="post" action={action} className="mt-2 flex flex-col gap-1">
        <CsrfField />
        <input type="hidden" name="intent" value="reject" />
        <input type="hidden" name="materialId" value={m.id} />
        <Input name="note" id={`reject-note-${m.id}`} required maxLength={500} placeholder="退回原因（企业可见）" className="w-full max-w-[14rem] py-1 text-xs" aria-label="退回原因" />
        <Button type="submit" variant="danger" className="self-start py-0.5 text-xs">
          确认退回
        </Button>
      </form>
    </details>
  );
}
