import { useFetcher } from "@remix-run/react";
import { Alert, Button, Card, Field, Input } from "~/components/ui";
import { CsrfField } from "~/components/security";

/** What the project page's `invite` intent answers: on success, the link and its QR code, shown this once. */
export interface InviteAnswer {
  ok: boolean;
  message: string;
  intent: string;
  fields?: Record<string, string>;
  invitation?: { url: string; qrSvg: string; name: string; login: string; expiresOn: string };
}

/**
 * 邀请企业联系人: the officer enters a name and a phone or e-mail and gets a
 * one-time link (7 days) to send or to show as a QR code in person. The link is
 * only ever in this answer (the server keeps its hash), so it says so; inviting
 * the same person again voids the old link.
 */
export function InviteContact({ enterpriseName }: { enterpriseName: string }) {
  const fetcher = useFetcher<InviteAnswer>();
  const answer = fetcher.data && fetcher.data.intent === "invite" ? fetcher.data : undefined;
  const busy = fetcher.state !== "idle";
  const err = (f: string) => (answer && !answer.ok ? answer.fields?.[f] : undefined);
  const inv = answer?.ok ? answer.invitation : undefined;
  return (
    <Card title="邀请企业联系人">
      <div className="grid gap-4 md:grid-cols-2" data-testid="invite-contact">
        <fetcher.Form method="post" className="space-y-2" aria-label="邀请企业联系人">
          <CsrfField />
          <input type="hidden" name="intent" value="invite" />
          <p className="text-xs text-slate-500">
            邀请{enterpriseName}的联系人开通企业门户：对方用手机打开链接、设置密码后即可查看进度、提交材料。链接 7 天内有效、仅可使用一次；再次邀请同一人会使旧链接作废。
          </p>
          <Field label="联系人姓名" name="name" error={err("name")}>
            <Input name="name" required maxLength={40} data-testid="invite-name" />
          </Field>
          <Field label="手机号码" name="phone" error={err("phone")} hint="作为登录名；没有手机号时填写邮箱">
            <Input name="phone" inputMode="tel" maxLength={11} data-testid="invite-phone" />
          </Field>
          <Field label="电子邮箱" name="email" error={err("email")}>
            <Input name="email" type="email" maxLength={64} data-testid="invite-email" />
          </Field>
          {answer && !answer.ok ? <Alert>{answer.message}</Alert> : null}
          <Button type="submit" disabled={busy} data-testid="invite-submit">
            {busy ? "正在生成…" : "生成邀请链接"}
          </Button>
        </fetcher.Form>
        {inv ? (
          <div className="space-y-2" data-testid="invite-result">
            <Alert tone="green">{answer!.message}</Alert>
            <p className="text-sm text-slate-600">
              {inv.name}（登录名 {inv.login}），有效期至 {inv.expiresOn}。链接只显示这一次，请立即发送或当面扫码。
            </p>
            <input readOnly value={inv.url} className="w-full rounded border border-slate-300 px-2 py-1 font-mono text-xs" data-testid="invite-link" onFocus={(e) => e.currentTarget.select()} />
            {/* The SVG is drawn by the qrcode library on the server from our own URL: no user markup in it. */}
            <div className="h-48 w-48" aria-label="邀请链接二维码" data-testid="invite-qr" dangerouslySetInnerHTML={{ __html: inv.qrSvg }} />
          </div>
        ) : null}
      </div>
    </Card>
  );
}
