import type { LoaderFunctionArgs } from "@remix-run/node";
import { NavLink, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { Form } from "~/components/form";
import { ErrorPanel } from "~/components/error-panel";
import { cx } from "~/components/ui";
import { ROLE_LABELS, type Role } from "~/domain/access/policy";
import { unreadCount } from "~/services/inbox.server";
import { unreadMessages } from "~/services/messages.server";
import { serviceContext } from "~/services/context.server";
import { isQueueReachable } from "~/services/system-status.server";
import { requireUser } from "~/web/session.server";

const NAV: Record<Role, { to: string; label: string }[]> = {
  proxy: [
    { to: "/projects", label: "我的项目" },
    { to: "/meetings", label: "联席会议" },
    { to: "/meetings/actions", label: "督办台账" },
  ],
  enterprise: [{ to: "/portal", label: "我的项目" }],
  dept: [
    { to: "/queue", label: "待办队列" },
    { to: "/projects", label: "相关项目" },
    { to: "/meetings", label: "联席会议" },
    { to: "/meetings/actions", label: "督办台账" },
  ],
  coordinator: [
    { to: "/meetings", label: "联席会议" },
    { to: "/meetings/actions", label: "督办台账" },
    { to: "/dashboard", label: "全局看板" },
    { to: "/projects", label: "项目" },
  ],
  leader: [
    { to: "/dashboard", label: "全局看板" },
    { to: "/meetings/actions", label: "督办台账" },
    { to: "/meetings", label: "联席会议" },
    { to: "/projects", label: "项目" },
  ],
  admin: [
    { to: "/admin", label: "系统管理" },
    { to: "/admin/calendar", label: "工作日历" },
    { to: "/projects", label: "项目" },
    { to: "/dashboard", label: "看板" },
  ],
  // API tokens only: sign-in refuses these accounts, so no page is ever shown to one.
  integration: [],
};

/** "/meetings" must not light up on its sub-pages that have their own entry (督办台账). */
const EXACT = new Set(["/admin", "/meetings"]);

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const ctx = serviceContext();
  // Only administrators can act on a Redis outage; everybody else keeps working from the database.
  const redisDown = user.role === "admin" ? !(await isQueueReachable()) : false;
  // 留言 unread (issue 12) beside the inbox's: only the thread's parties (enterprise contacts, proxy officers) have any.
  return { user, redisDown, unread: unreadCount(ctx, user), unreadThreads: unreadMessages(ctx.db, user) };
}

export default function AppLayout() {
  const { user, redisDown, unread, unreadThreads } = useLoaderData<typeof loader>();
  return (
    <div className="min-h-screen">
      <header className="no-print border-b border-slate-200 bg-white">
        <div className="mx-auto flex h-14 max-w-7xl items-center gap-2 px-3 sm:gap-6 sm:px-4">
          <a href="/" className="flex shrink-0 items-center gap-2">
            <span className="flex h-8 w-8 items-center justify-center rounded-lg bg-brand-600 text-sm font-bold text-white">绿</span>
            <span className="hidden font-semibold text-slate-900 sm:inline">绿色通道</span>
          </a>
          <nav className="flex min-w-0 flex-1 items-center gap-1 overflow-x-auto" aria-label="主导航">
            {NAV[user.role].map((n) => (
              <NavLink
                key={n.to}
                to={n.to}
                end={EXACT.has(n.to)}
                className={({ isActive }) =>
                  cx("whitespace-nowrap rounded-md px-2 py-1.5 text-sm font-medium sm:px-3", isActive ? "bg-brand-50 text-brand-800" : "text-slate-600 hover:bg-slate-100")
                }
              >
                {n.label}
              </NavLink>
            ))}
          </nav>
          <NavLink to="/inbox" className="relative shrink-0 whitespace-nowrap rounded-md px-2 py-1.5 text-sm text-slate-600 hover:bg-slate-100">
            消息
            {unread > 0 ? (
              <span className="ml-1 rounded-full bg-red-600 px-1.5 text-xs font-semibold text-white" aria-label={`${unread} 条未读`}>
                {unread}
              </span>
            ) : null}
            {unreadThreads > 0 ? (
              <span className="ml-1 rounded-full bg-brand-600 px-1.5 text-xs font-semibold text-white" aria-label={`${unreadThreads} 条未读留言`} title="未读留言" data-testid="unread-messages">
                留言 {unreadThreads}
              </span>
            ) : null}
          </NavLink>
          {user.role !== "enterprise" ? (
            <NavLink to="/account/calendar" className="hidden whitespace-nowrap rounded-md px-2 py-1.5 text-sm text-slate-600 hover:bg-slate-100 md:inline-block" title="把会议和督办时限订阅到自己的日历">
              日历订阅
            </NavLink>
          ) : null}
          <a href="/account/password" className="hidden shrink-0 text-right text-xs leading-tight hover:underline sm:block" title="修改密码">
            <div className="font-medium text-slate-800">{user.displayName}</div>
            <div className="text-slate-500">{ROLE_LABELS[user.role]}</div>
          </a>
          <Form method="post" action="/logout">
            <button className="whitespace-nowrap rounded-md px-2 py-1.5 text-sm text-slate-500 hover:bg-slate-100 hover:text-slate-800">退出</button>
          </Form>
        </div>
      </header>
      {redisDown ? (
        <div role="alert" className="border-b border-amber-200 bg-amber-50 px-4 py-2 text-center text-sm text-amber-900">
          Redis 当前无法连接：预警提醒暂停派发，恢复后将自动补发。审批计时和页面数据不受影响（以数据库为准）。
        </div>
      ) : null}
      <main className="mx-auto max-w-7xl px-3 py-4 sm:px-4 sm:py-6">
        <Outlet />
      </main>
    </div>
  );
}

export function ErrorBoundary() {
  return (
    <div className="mx-auto max-w-xl p-10">
      <ErrorPanel error={useRouteError()} />
    </div>
  );
}
