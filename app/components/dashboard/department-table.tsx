import { Link } from "@remix-run/react";
import { Table, Td, Th, cx } from "~/components/ui";
import { drillHref, type DrillList } from "~/domain/dashboard/lists";
import type { DepartmentRow } from "~/services/dashboard.server";

const pct = (r: number | null) => (r === null ? "—" : `${Math.round(r * 100)}%`);

/** A count that opens its list, or a quiet 0. */
function Num({ to, n, alarm }: { to: string; n: number; alarm?: boolean }) {
  return (
    <Link to={to} className={cx("tabular-nums hover:underline", n === 0 ? "text-slate-400" : alarm ? "font-semibold text-red-600" : "text-brand-700")}>
      {n}
    </Link>
  );
}

/**
 * Each department's live figures. Every count opens the list behind it for that
 * department (`department=<id>`); the task count opens the 督办台账 for it.
 * Department figures are the whole city's: the project filters do not narrow them.
 */
export function DepartmentTable({ rows }: { rows: readonly DepartmentRow[] }) {
  const list = (l: DrillList, id: number) => drillHref(l, {}, { department: id });
  return (
    <Table className="border-0">
      <thead>
        <tr>
          <Th>部门</Th>
          <Th className="whitespace-nowrap text-right">在办</Th>
          <Th className="whitespace-nowrap text-right">预警</Th>
          <Th className="whitespace-nowrap text-right">超期</Th>
          <Th className="whitespace-nowrap text-right">暂停</Th>
          <Th className="whitespace-nowrap text-right">督办</Th>
          <Th className="whitespace-nowrap text-right">会议/督办任务（逾期）</Th>
          <Th className="whitespace-nowrap text-right">按时办结率</Th>
          <Th className="whitespace-nowrap text-right">好差评</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100" data-testid="departments">
        {rows.map((d) => (
          <tr key={d.id} data-department={d.id}>
            <Td className="min-w-[10rem] whitespace-normal">{d.name}</Td>
            <Td className="text-right">
              <Num to={list("activeItems", d.id)} n={d.active} />
            </Td>
            <Td className="text-right">
              <Num to={list("yellowItems", d.id)} n={d.yellow} />
            </Td>
            <Td className="text-right">
              <Num to={list("overdueItems", d.id)} n={d.red} alarm />
            </Td>
            <Td className="text-right">
              <Num to={list("pausedItems", d.id)} n={d.paused} />
            </Td>
            <Td className="text-right">
              <Num to={list("supervisedItems", d.id)} n={d.supervised} alarm />
            </Td>
            <Td className="text-right">
              <Num to={`/meetings/actions?status=open&department=${encodeURIComponent(d.code)}`} n={d.actionItems} />
              {d.actionItemsOverdue ? <span className="ml-1 font-semibold text-red-600">（{d.actionItemsOverdue}）</span> : null}
            </Td>
            <Td className="text-right tabular-nums" >
              {d.handled ? (
                <span title={`已办结 ${d.handled} 件`}>{pct(d.onTimeRate)}</span>
              ) : (
                <span className="text-slate-400">—</span>
              )}
            </Td>
            <Td className={cx("text-right tabular-nums", d.rating && d.rating.poor > 0 && "text-red-600")}>
              {d.rating ? `${d.rating.average} 分（${d.rating.count} 评${d.rating.poor ? `，差评 ${d.rating.poor}` : ""}）` : <span className="text-slate-400">—</span>}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
