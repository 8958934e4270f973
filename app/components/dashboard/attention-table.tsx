import { Link, useFetcher } from "@remix-run/react";
import { Badge, Table, Td, Th, cx, type Tone } from "~/components/ui";
import { SupervisionFields, type SupervisionAnswer } from "~/components/project/supervision-form";
import type { AttentionTier } from "~/domain/dashboard/attention";
import { PROJECT_LEVEL_LABELS, type PROJECT_LEVELS } from "~/domain/project/types";
import type { AttentionRow } from "~/services/dashboard.server";
import { CsrfField } from "~/components/security";

const TIER_TONES: Record<AttentionTier, Tone> = { stalled: "purple", overdue: "red", at_risk: "yellow", none: "green" };
const levelLabel = (l: string) => PROJECT_LEVEL_LABELS[l as (typeof PROJECT_LEVELS)[number]] ?? l;

export interface SuperviseControls {
  /** The project whose 督办 form is open (`?supervise=<id>`), if any. */
  openId: number | null;
  /** The link opening (or, with null, closing) a row's form, keeping the page's other parameters. */
  href: (projectId: number | null) => string;
  /** The page action's answer after a post without JavaScript (the open row's). */
  answer?: SupervisionAnswer | null;
}

/**
 * Projects ranked most stuck first (the service orders them): the blocking item,
 * its department and how late, the proxy officers and why the project is listed.
 * With `supervise`, each row has a 督办 link opening a form under the row; the
 * link is a URL (`?supervise=<id>`), so it works before and without JavaScript.
 */
export function AttentionTable({ rows, supervise, testId = "attention" }: { rows: readonly AttentionRow[]; supervise?: SuperviseControls; testId?: string }) {
  const columns = supervise ? 7 : 6;
  return (
    <Table className="border-0">
      <thead>
        <tr>
          <Th className="w-10 whitespace-nowrap">序号</Th>
          <Th>项目</Th>
          <Th>卡点事项 / 部门</Th>
          <Th className="whitespace-nowrap text-right">超期（工作日）</Th>
          <Th className="whitespace-nowrap">代办员</Th>
          <Th>原因</Th>
          {supervise ? <Th className="whitespace-nowrap">督办</Th> : null}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100" data-testid={testId}>
        {rows.map((p, i) => {
          const open = supervise?.openId === p.id;
          return [
            <tr key={p.id} data-project={p.id} data-tier={p.tier} className={cx("align-top", open && "bg-brand-50/40")}>
              <Td className="tabular-nums text-slate-500">{i + 1}</Td>
              <Td className="min-w-[11rem] whitespace-normal">
                <Link to={`/projects/${p.id}`} className="font-medium text-brand-700 hover:underline" data-testid="attention-project">
                  {p.name}
                </Link>
                <div className="mt-1 flex flex-wrap gap-1">
                  <Badge tone={TIER_TONES[p.tier]}>{p.tierLabel}</Badge>
                  <Badge tone="gray">{levelLabel(p.level)}</Badge>
                </div>
              </Td>
              <Td className="min-w-[12rem] whitespace-normal">
                {p.blocking ? (
                  <>
                    <Link to={`/projects/${p.id}?item=${encodeURIComponent(p.blocking.key)}`} className="text-slate-800 hover:text-brand-700 hover:underline" data-testid="blocking-item">
                      {p.blocking.name}
                    </Link>
                    <div className="text-xs text-slate-500">{p.blocking.department ?? "企业或中介办理"}</div>
                  </>
                ) : (
                  <span className="text-slate-400">—</span>
                )}
              </Td>
              <Td className={cx("text-right tabular-nums", p.blocking && p.blocking.overdueDays > 0 ? "font-semibold text-red-600" : "text-slate-400")}>
                {p.blocking && p.blocking.overdueDays > 0 ? p.blocking.overdueDays : "—"}
              </Td>
              <Td className="text-xs">{p.proxies.join("、") || "—"}</Td>
              <Td className="min-w-[12rem] whitespace-normal">
                <div className="flex flex-wrap gap-1">
                  {p.reasons.map((r) => (
                    <Badge key={r} tone={r.includes("无进展") ? "purple" : r.includes("督办") ? "blue" : r.includes("超期") || r.includes("晚于") ? "red" : "yellow"}>
                      {r}
                    </Badge>
                  ))}
                </div>
              </Td>
              {supervise ? (
                <Td>
                  <Link
                    to={supervise.href(open ? null : p.id)}
                    preventScrollReset
                    className={cx("inline-flex items-center rounded-md border px-2 py-1 text-xs font-medium", open ? "border-brand-600 bg-brand-600 text-white" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-50")}
                    aria-expanded={open}
                    data-testid="supervise-toggle"
                  >
                    督办
                  </Link>
                </Td>
              ) : null}
            </tr>,
            open && supervise ? (
              <tr key={`${p.id}-supervise`} data-supervise-form={p.id} className="bg-brand-50/40">
                <td colSpan={columns} className="px-3 pb-4 pt-1">
                  <SuperviseRowForm row={p} close={supervise.href(null)} fallbackAnswer={supervise.answer ?? null} />
                </td>
              </tr>
            ) : null,
          ];
        })}
      </tbody>
    </Table>
  );
}

/** One row's 督办 form: a fetcher, so the answer shows under the row and the list stays where it is. */
function SuperviseRowForm({ row, close, fallbackAnswer }: { row: AttentionRow; close: string; fallbackAnswer: SupervisionAnswer | null }) {
  const fetcher = useFetcher<SupervisionAnswer>();
  const answer = fetcher.data ?? fallbackAnswer;
  return (
    <fetcher.Form method="post" className="max-w-2xl rounded-md border border-slate-200 bg-white p-3" aria-label={`督办 ${row.name}`}>
      <CsrfField />
      <p className="mb-2 text-sm text-slate-700">
        督办「{row.name}」
        {row.blocking ? (
          <>
            的卡点事项「{row.blocking.name}」，责任单位：{row.blocking.department ?? "卡点事项所在部门"}
          </>
        ) : (
          "，由卡点事项所在部门牵头"
        )}
      </p>
      <input type="hidden" name="projectId" value={row.id} />
      <SupervisionFields
        idPrefix={`supervise-${row.id}`}
        itemKey={row.blocking?.key ?? null}
        answer={answer}
        busy={fetcher.state !== "idle"}
        onCancel={
          <Link to={close} preventScrollReset className="pb-1.5 text-sm text-slate-500 hover:underline">
            收起
          </Link>
        }
      />
    </fetcher.Form>
  );
}
