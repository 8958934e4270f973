import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Form } from "~/components/form";
import { z } from "zod";
import { Alert, Button, Field, Input } from "~/components/ui";
import { landingPath } from "~/domain/access/policy";
import { changeOwnPassword } from "~/services/auth.server";
import { serviceContext } from "~/services/context.server";
import { dispatchIntent } from "~/web/intent.server";
import { requireUser } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "设置密码 · 绿色通道" }];

/*
 * Outside the _app layout on purpose: the layout's guard sends a user who holds a
 * one-time password here, so this page must not sit behind it. It is the only
 * page such a user can open (besides signing out).
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { allowPasswordChange: true });
  return { login: user.login, displayName: user.displayName, mustChange: user.mustChangePassword, home: landingPath(user.role) };
}

const intents = z.discriminatedUnion("intent", [z.object({ intent: z.literal("change") }).passthrough()]);

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request, { allowPasswordChange: true });
  const answer = await dispatchIntent(request, intents, async (input) => {
    await changeOwnPassword(serviceContext(), user, input);
    return { message: "密码已更新" };
  });
  if (answer.data.ok) throw redirect(landingPath(user.role));
  return answer;
}

export default function ChangePassword() {
  const { login, displayName, mustChange, home } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <main className="flex min-h-screen items-center justify-center bg-gradient-to-br from-brand-50 via-white to-sky-50 px-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <div className="mx-auto mb-3 flex h-12 w-12 items-center justify-center rounded-xl bg-brand-600 text-xl font-bold text-white">绿</div>
          <h1 className="text-xl font-semibold text-slate-900">{mustChange ? "请设置新密码" : "修改密码"}</h1>
          <p className="mt-1 text-sm text-slate-500">
            {displayName}（{login}）
          </p>
        </div>
        <Form method="post" className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
          <input type="hidden" name="intent" value="change" />
          {mustChange ? <Alert tone="yellow">您正在使用管理员发放的一次性密码，设置自己的密码后才能继续使用系统。</Alert> : null}
          {result && !result.ok ? <Alert>{result.message}</Alert> : null}
          {mustChange ? null : (
            <Field label="当前密码" name="current" error={result?.fields?.current}>
              <Input name="current" type="password" autoComplete="current-password" required />
            </Field>
          )}
          <Field label="新密码" name="password" error={result?.fields?.password} hint="至少 10 位，含大写字母、小写字母、数字、符号中的三类（16 位以上不限），不能含用户名，不能与原密码相同">
            <Input name="password" type="password" autoComplete="new-password" minLength={8} required autoFocus />
          </Field>
          <Field label="再次输入新密码" name="confirm" error={result?.fields?.confirm}>
            <Input name="confirm" type="password" autoComplete="new-password" minLength={8} required />
          </Field>
          <Button type="submit" className="w-full" disabled={busy}>
            {busy ? "正在保存…" : "保存新密码"}
          </Button>
        </Form>
        <div className="mt-4 flex justify-center gap-4 text-sm">
          {mustChange ? null : (
            <>
              <a href={home} className="text-slate-500 hover:underline">
                返回
              </a>
              <a href="/account/sessions" className="text-slate-500 hover:underline">
                登录设备
              </a>
            </>
          )}
          <Form method="post" action="/logout">
            <button type="submit" className="text-slate-500 hover:underline">
              退出登录
            </button>
          </Form>
        </div>
      </div>
    </main>
  );
}
