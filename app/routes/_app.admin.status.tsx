import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { Badge, ButtonLink, Card, PageHeader, Table, Td, Th } from "~/components/ui";
import { shanghaiDateTime } from "~/domain/calendar";
import { latestBackup } from "~/services/backup.server";
import { checkHealth, TIMER_LATE_AFTER_MS } from "~/services/health.server";
import { requirePermission } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "运行状态 · 系统管理 · 绿色通道" }];

// Figures of this moment: a cached copy would show a recovered Redis as still down.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "admin.manage");
  const now = new Date();
  const health = await checkHealth(now);
  let backup: { name: string; createdAt: number } | null = null;
  try {
    const m = latestBackup();
    if (m) backup = { name: m.name, createdAt: Date.parse(m.createdAt) };
  } catch {
    // An unreadable BACKUP_DIR reads as "no backup", which is what the administrator must act on.
  }
  const oldest = health.checks.timers.oldestDueUnfiredAt;
  // Decided here: the threshold lives in a .server module, which the browser bundle does not have.
  const timersLate = oldest !== null && now.getTime() - Date.parse(oldest) > TIMER_LATE_AFTER_MS;
  return { health, backup, timersLate, now: now.getTime() };
}

const QUEUE_LABELS: Record<string, string> = { escalations: "预警提醒（escalations）", maintenance: "定时维护（maintenance）", imports: "台账导入（imports）" };

/** "3 分钟前": how stale a heartbeat or a backup is, at a glance. */
function ago(seconds: number): string {
  if (seconds < 60) return `${seconds} 秒前`;
  if (seconds < 3_600) return `${Math.floor(seconds / 60)} 分钟前`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3_600)} 小时前`;
  return `${Math.floor(seconds / 86_400)} 天前`;
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-slate-500">{label}</dt>
      <dd className="flex flex-wrap items-center gap-2">{children}</dd>
    </>
  );
}

const Ok = ({ ok, yes = "正常", no }: { ok: boolean; yes?: string; no: string }) => (ok ? <Badge tone="green">{yes}</Badge> : <Badge tone="red">{no}</Badge>);

export default function AdminStatusPage() {
  const { health, backup, timersLate, now } = useLoaderData<typeof loader>();
  const { database, redis, worker, queues, timers } = health.checks;
  const overall = { ok: { tone: "green", label: "一切正常" }, degraded: { tone: "yellow", label: "部分功能受影响" }, down: { tone: "red", label: "服务不可用" } } as const;
  const oldestDue = timers.oldestDueUnfiredAt ? Date.parse(timers.oldestDueUnfiredAt) : null;
  const backupAge = backup ? Math.max(0, Math.round((now - backup.createdAt) / 1000)) : null;
  return (
    <>
      <PageHeader
        title="运行状态"
        subtitle={
          <>
            检查于 {shanghaiDateTime(now)}；监控系统可直接读取 <code className="text-xs">GET /healthz</code>
          </>
        }
        actions={
          <>
            <Badge tone={overall[health.status].tone}>{overall[health.status].label}</Badge>
            <ButtonLink to="/admin">返回系统管理</ButtonLink>
          </>
        }
      />
      <div className="mb-6 grid gap-3 md:grid-cols-2">
        <Card title="服务">
          <dl className="grid grid-cols-[10rem_1fr] gap-y-2 text-sm">
            <Row label="数据库">
              <Ok ok={database.ok} no="无法读取" />
              <span className="text-xs text-slate-500">{database.ms} 毫秒</span>
            </Row>
            <Row label="队列服务 Redis">
              <Ok ok={redis.ok} no="无法连接" />
              <span className="text-xs text-slate-500">{redis.ok ? `${redis.ms} 毫秒` : "期限倒计时照常，提醒在 Redis 恢复后补发"}</span>
            </Row>
            <Row label="后台任务 worker 心跳">
              <Ok ok={worker.ok} yes="运行中" no={worker.lastHeartbeatAt ? "心跳中断" : "从未运行"} />
              {worker.lastHeartbeatAt && worker.ageSeconds !== null ? (
                <span className="text-xs text-slate-500">
                  最近心跳 {shanghaiDateTime(Date.parse(worker.lastHeartbeatAt))}（{ago(worker.ageSeconds)}）
                </span>
              ) : null}
            </Row>
            <Row label="最早未触发的到期提醒">
              {oldestDue === null ? (
                <Badge tone="green">无积压</Badge>
              ) : (
                <>
                  <Badge tone={timersLate ? "red" : "yellow"}>{ago(Math.max(0, Math.round((now - oldestDue) / 1000)))}到期</Badge>
                  <span className="text-xs text-slate-500">
                    {shanghaiDateTime(oldestDue)}，共 {timers.overdueCount} 条待触发
                  </span>
                </>
              )}
            </Row>
          </dl>
        </Card>
        <Card title="备份">
          {backup && backupAge !== null ? (
            <dl className="grid grid-cols-[10rem_1fr] gap-y-2 text-sm">
              <Row label="最近一次备份">
                <span className="font-mono text-xs">{backup.name}</span>
              </Row>
              <Row label="备份时间">
                <Badge tone={backupAge > 2 * 86_400 ? "red" : backupAge > 86_400 ? "yellow" : "green"}>{ago(backupAge)}</Badge>
                <span className="text-xs text-slate-500">{shanghaiDateTime(backup.createdAt)}</span>
              </Row>
            </dl>
          ) : (
            <p className="text-sm text-slate-700">
              <Badge tone="red">没有备份</Badge>
              <span className="ml-2">请在服务器上定时运行 <code className="text-xs">npm run backup</code>。</span>
            </p>
          )}
        </Card>
      </div>
      <Card title="队列积压">
        {Object.keys(queues).length ? (
          <Table>
            <thead>
              <tr>
                <Th>队列</Th>
                <Th className="text-right">等待</Th>
                <Th className="text-right">延迟</Th>
                <Th className="text-right">执行中</Th>
                <Th className="text-right">失败</Th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(queues).map(([name, c]) => (
                <tr key={name}>
                  <Td>{QUEUE_LABELS[name] ?? name}</Td>
                  <Td className="text-right tabular-nums">{c.waiting}</Td>
                  <Td className="text-right tabular-nums">{c.delayed}</Td>
                  <Td className="text-right tabular-nums">{c.active}</Td>
                  <Td className={c.failed ? "text-right font-semibold tabular-nums text-red-700" : "text-right tabular-nums"}>{c.failed}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : (
          <p className="text-sm text-slate-500">Redis 无法连接，暂时读不到队列。</p>
        )}
        <p className="mt-2 text-xs text-slate-500">
          明细见 <a className="text-brand-700 underline" href="/admin/queues">任务队列面板</a>。
        </p>
      </Card>
    </>
  );
}
