import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Form } from "~/components/form";
import { Alert, Button, Field, Input } from "~/components/ui";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { acceptInvitation, inspectInvitation, INVITATION_STATE_MESSAGES } from "~/services/invitations.server";
import { readFormValues } from "~/web/intent.server";
import { createUserSession } from "~/web/session.server";

export const meta: MetaFunction = () => [{ title: "接受邀请 · 绿色通道" }, { name: "robots", content: "noindex" }];

/*
 * Outside the signed-in layout on purpose: the contact has no account yet. The
 * token in the URL is the only credential; the page tells a spent link apart
 * (expired, used, voided) so the contact knows whom to ask, and says nothing
 * about an unknown one.
 */
export async function loader({ params }: LoaderFunctionArgs) {
  const s = inspectInvitation(serviceContext(), params.token ?? "");
  if (s.state === "valid") return { ok: true as const, name: s.name, login: s.login, enterpriseName: s.enterpriseName, message: "" };
  return data({ ok: false as const, name: "", login: "", enterpriseName: "", message: INVITATION_STATE_MESSAGES[s.state] }, { status: s.state === "unknown" ? 404 : 410 });
}

export async function action({ request, params }: ActionFunctionArgs) {
  // A body that is not a form reads as no fields: the service then asks for the password.
  const form = await readFormValues(request);
  const text = (k: string) => {
    const v = form[k];
    return typeof v === "string" ? v : undefined;
  };
  try {
    const { user, projectId } = await acceptInvitation(serviceContext(), params.token ?? "", { password: text("password"), confirm: text("confirm") });
    // Straight into the portal, on the project they were invited for when there is one.
    return createUserSession(user.id, projectId ? `/portal/projects/${projectId}` : "/portal", request);
  } catch (e) {
    if (e instanceof AppError) return data({ message: e.message, fields: e.fields ?? {} }, { status: e.status });
    throw e;
  }
}

export default function AcceptInvitation() {
  const invitation = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <main className="flex min-h-screen items-start justify-center bg-gradient-to-br from-brand-50 via-white to-sky-50 px-4 py-10 sm:items-center">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <div className="mx-auto mb-3 flex h-12 w-12 items-center justify-center rounded-xl bg-brand-600 text-xl font-bold text-white">绿</div>
          <h1 className="text-xl font-semibold text-slate-900">绿色通道 · 企业服务</h1>
        </div>
        {invitation.ok ? (
          <Form method="post" className="space-y-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm" data-testid="invite-accept-form">
            <p className="text-sm text-slate-700">
              {invitation.name}，您好！代办员邀请您作为<strong>{invitation.enterpriseName}</strong>的联系人，在线查看项目进度、提交材料。
            </p>
            <p className="text-sm text-slate-500">
              登录名：<span className="font-mono text-slate-800" data-testid="invite-login">{invitation.login}</span>
            </p>
            {result ? <Alert>{result.message}</Alert> : null}
            <Field label="设置密码" name="password" error={result?.fields?.password} hint="至少 10 位，含大写字母、小写字母、数字、符号中的三类（16 位以上不限）">
              <Input name="password" type="password" autoComplete="new-password" minLength={8} required autoFocus />
            </Field>
            <Field label="再次输入密码" name="confirm" error={result?.fields?.confirm}>
              <Input name="confirm" type="password" autoComplete="new-password" minLength={8} required />
            </Field>
            <Button type="submit" className="w-full" disabled={busy}>
              {busy ? "正在开通…" : "开通并进入"}
            </Button>
          </Form>
        ) : (
          <div className="space-y-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm" data-testid="invite-invalid">
            <Alert tone="yellow">{invitation.message}</Alert>
            <a href="/login" className="block text-center text-sm text-brand-700 hover:underline">
              前往登录
            </a>
          </div>
        )}
      </div>
    </main>
  );
}
