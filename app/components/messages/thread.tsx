import { useNavigation } from "@remix-run/react";
import { Form } from "~/components/form";
import { useEffect, useRef } from "react";
import { ROLE_LABELS, type Role } from "~/domain/access/policy";
import { UPLOAD_ACCEPT } from "~/domain/material/upload-rules";
import { MESSAGE_BODY_MAX, type ThreadAnswer } from "~/domain/message/rules";
import { Alert, Button, cx, EmptyState, Field, Textarea } from "~/components/ui";

/** One message as the page shows it; `atText` is formatted on the server so the page hydrates with the same text. */
export interface ThreadMessageView {
  id: number;
  from: string;
  role: Role;
  body: string;
  atText: string;
  mine: boolean;
  attachment: { id: number; name: string; size: number } | null;
}

export type { ThreadAnswer };

function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/**
 * 留言 (issue 12): the project's thread between the enterprise and its proxy officers,
 * oldest first, with the send form below (text and an optional file, multipart so it
 * works without JavaScript). Narrow by design: it fits a 390 px phone screen.
 * Used by /projects/:id/messages (officers) and /portal/projects/:id/messages.
 */
export function MessageThread({ messages, canWrite, answer }: { messages: readonly ThreadMessageView[]; canWrite: boolean; answer?: ThreadAnswer | null }) {
  const nav = useNavigation();
  const busy = nav.state === "submitting" && nav.formData?.get("intent") === "message";
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (answer?.ok) form.current?.reset();
  }, [answer]);
  return (
    <div className="space-y-4" data-testid="message-thread">
      {messages.length === 0 ? (
        <EmptyState title="暂无留言">{canWrite ? "有问题可以在下方留言，对方会收到提醒。" : null}</EmptyState>
      ) : (
        <ol className="space-y-3" aria-label="留言记录">
          {messages.map((m) => (
            <li key={m.id} className={cx("flex", m.mine ? "justify-end" : "justify-start")} data-testid="message" data-role={m.role}>
              <div className={cx("max-w-[85%] rounded-lg px-3 py-2 text-sm shadow-sm", m.mine ? "bg-brand-50 text-slate-900" : "border border-slate-200 bg-white text-slate-900")}>
                <div className="mb-1 flex flex-wrap items-baseline gap-x-2 text-xs text-slate-500">
                  <span className="font-medium text-slate-700">{m.from}</span>
                  <span>{ROLE_LABELS[m.role]}</span>
                  <time>{m.atText}</time>
                </div>
                <p className="whitespace-pre-wrap break-words">{m.body}</p>
                {m.attachment ? (
                  <a href={`/uploads/${m.attachment.id}`} className="mt-1 block break-all text-brand-700 hover:underline" data-testid="message-attachment">
                    📎 {m.attachment.name}（{size(m.attachment.size)}）
                  </a>
                ) : null}
              </div>
            </li>
          ))}
        </ol>
      )}
      {canWrite ? (
        <Form ref={form} method="post" encType="multipart/form-data" className="space-y-3 rounded-lg border border-slate-200 bg-white p-3" data-testid="message-form">
          <input type="hidden" name="intent" value="message" />
          {answer && !answer.ok ? <Alert>{answer.message}</Alert> : null}
          <Field label="留言" name="body" error={answer?.fields?.body}>
            <Textarea name="body" rows={3} required maxLength={MESSAGE_BODY_MAX} defaultValue={answer && !answer.ok ? answer.body : ""} placeholder="写下您的问题或答复" />
          </Field>
          <Field label="附件（可选）" name="file" error={answer?.fields?.file} hint="PDF、图片、Word、Excel、ZIP、OFD，单个不超过 20 MB">
            <input id="file" name="file" type="file" accept={UPLOAD_ACCEPT} className="block w-full text-sm" />
          </Field>
          <div className="flex justify-end">
            <Button type="submit" disabled={busy} data-testid="message-send">
              {busy ? "发送中…" : "发送"}
            </Button>
          </div>
        </Form>
      ) : (
        <p className="text-sm text-slate-500">您可以查看留言，但不参与本项目的留言往来。</p>
      )}
    </div>
  );
}
