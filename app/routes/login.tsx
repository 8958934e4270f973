import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { Form } from "~/components/form";
import { data, redirect } from "@remix-run/node";
import { Alert, Button, Field, Input } from "~/components/ui";
import { landingPath } from "~/domain/access/policy";
import { attemptSignIn } from "~/services/auth.server";
import { AppError } from "~/services/errors.server";
import { serviceContext } from "~/services/context.server";
import { readFormValues } from "~/web/intent.server";
import { clientIp, createUserSession, getOptionalUser, safeRedirect } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "登录 · 绿色通道" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request);
  if (user) throw redirect(landingPath(user.role));
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  // A body that is not a form (JSON, plain text) reads as an empty form: "请输入用户名", not a 500.
  const form = await readFormValues(request);
  const field = (name: string) => (typeof form[name] === "string" ? (form[name] as string) : undefined);
  try {
    const user = await attemptSignIn(serviceContext().db, { login: field("login"), password: field("password") }, { ip: clientIp(request) });
    return createUserSession(user.id, safeRedirect(field("redirectTo"), landingPath(user.role)), request);
  } catch (e) {
    if (e instanceof AppError) {
      return data({ error: e.message, login: field("login") ?? "" }, { status: e.status === 401 || e.status === 429 ? e.status : 400 });
    }
    throw e;
  }
}

export default function Login() {
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state !== "idle";
  return (
    <main className="flex min-h-screen items-center justify-center bg-gradient-to-br from-brand-50 via-white to-sky-50 px-4">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <div className="mx-auto mb-3 flex h-12 w-12 items-center justify-center rounded-xl bg-brand-600 text-xl font-bold text-white">绿</div>
          <h1 className="text-xl font-semibold text-slate-900">绿色通道</h1>
          <p className="mt-1 text-sm text-slate-500">重点项目审批全程代办协同平台</p>
        </div>
        <Form method="post" className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
          {result?.error ? <Alert>{result.error}</Alert> : null}
          <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? ""} />
          <Field label="用户名" name="login">
            <Input name="login" autoComplete="username" defaultValue={result?.login} required autoFocus />
          </Field>
          <Field label="密码" name="password">
            <Input name="password" type="password" autoComplete="current-password" required />
          </Field>
          <Button type="submit" className="w-full" disabled={busy}>
            {busy ? "正在登录…" : "登录"}
          </Button>
        </Form>
      </div>
    </main>
  );
}
