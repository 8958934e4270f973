import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData, useRouteError } from "@remix-run/react";
import { z } from "zod";
import { ErrorPanel } from "~/components/error-panel";
import { Form } from "~/components/form";
import { Alert, Badge, Button, Card, PageHeader, Table, Td, Th } from "~/components/ui";
import { shanghaiDateTime } from "~/domain/calendar";
import { serviceContext } from "~/services/context.server";
import { listLiveSessions, signOutElsewhere } from "~/services/sessions.server";
import { dispatchIntent } from "~/web/intent.server";
import { requireUser } from "~/web/session.server";

/**
 * 登录设备 (/account/sessions): where the user is signed in, and "sign out
 * everywhere else" — for a lost phone or a shared computer left signed in.
 */

export const meta: MetaFunction = () => [{ title: "登录设备 · 绿色通道" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const ctx = serviceContext();
  return { sessions: listLiveSessions(ctx.db, user.id, user.sessionId ?? null, ctx.now) };
}

const intents = z.discriminatedUnion("intent", [z.object({ intent: z.literal("signOutElsewhere") })]);

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const ctx = serviceContext();
  return dispatchIntent(request, intents, () => {
    const n = user.sessionId === undefined ? 0 : signOutElsewhere(ctx.db, user, user.sessionId, ctx.now);
    return { message: n > 0 ? `已退出其他 ${n} 个设备上的登录` : "没有其他设备处于登录状态" };
  });
}

function device(ua: string | null): string {
  if (!ua) return "未知设备";
  const os = /Windows/.test(ua) ? "Windows" : /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Mac OS X/.test(ua) ? "macOS" : /Linux/.test(ua) ? "Linux" : "其他系统";
  const app = /MicroMessenger/.test(ua) ? "微信" : /Edg\//.test(ua) ? "Edge" : /Chrome\//.test(ua) ? "Chrome" : /Firefox\//.test(ua) ? "Firefox" : /Safari\//.test(ua) ? "Safari" : "浏览器";
  return `${app} · ${os}`;
}

export default function SessionsPage() {
  const { sessions } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const others = sessions.filter((s) => !s.current).length;
  return (
    <div className="max-w-3xl">
      <PageHeader title="登录设备" subtitle="以下设备当前登录着您的账号。如有不认识的设备，请退出其他设备并修改密码。" />
      {answer ? (
        <div className="mb-4">
          <Alert tone={answer.ok ? "green" : "red"}>{answer.message}</Alert>
        </div>
      ) : null}
      <Card
        title="当前登录"
        actions={
          <Form method="post">
            <input type="hidden" name="intent" value="signOutElsewhere" />
            <Button type="submit" variant="danger" disabled={others === 0} data-testid="sign-out-elsewhere">
              退出其他所有设备
            </Button>
          </Form>
        }
      >
        <Table>
          <thead>
            <tr>
              <Th>设备</Th>
              <Th>IP 地址</Th>
              <Th>登录时间</Th>
              <Th>最近使用</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {sessions.map((s) => (
              <tr key={s.id}>
                <Td>
                  {device(s.userAgent)} {s.current ? <Badge tone="green">本设备</Badge> : null}
                </Td>
                <Td>{s.ip?.replace(/^::ffff:/, "") ?? "—"}</Td>
                <Td>{shanghaiDateTime(s.createdAt)}</Td>
                <Td>{shanghaiDateTime(s.lastSeenAt)}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
        <p className="mt-3 text-xs text-slate-500">登录 12 小时无操作或满 7 天后自动失效；管理员停用账号、调整角色或重置密码时，所有设备立即退出。</p>
      </Card>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPanel error={useRouteError()} />;
}
