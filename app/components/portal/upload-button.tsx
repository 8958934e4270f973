import { useActionData, useNavigation } from "@remix-run/react";
import { Form } from "~/components/form";
import { UPLOAD_ACCEPT } from "~/domain/material/upload-rules";
import { cx } from "~/components/ui";

export interface PortalUploadAnswer {
  ok: boolean;
  message: string;
  materialId: number | null;
  fields?: Record<string, string>;
}

/**
 * One material's upload on the portal: a file picker and a button, posted as
 * multipart to the portal project page. A plain form (works before hydration);
 * the page's action answer is shown beside this row and, because a received
 * material leaves the list, also at the top of 需要您提供 (UploadAnswer).
 * No scroll reset: on a phone the contact stays where they were.
 */
export function UploadButton({ materialId, name, label = "上传" }: { materialId: number; name: string; label?: string }) {
  const data = useActionData<PortalUploadAnswer>();
  const answer = data && data.materialId === materialId ? data : undefined;
  const navigation = useNavigation();
  const busy = navigation.state === "submitting" && navigation.formData?.get("materialId") === String(materialId);
  return (
    <Form method="post" encType="multipart/form-data" preventScrollReset className="mt-2 space-y-1" aria-label={`上传${name}`} data-testid={`portal-upload-${materialId}`}>
      <input type="hidden" name="intent" value="upload" />
      <input type="hidden" name="materialId" value={materialId} />
      <div className="flex flex-wrap items-center gap-2">
        <input
          type="file"
          name="file"
          required
          accept={UPLOAD_ACCEPT}
          className="block min-w-0 max-w-full flex-1 text-xs text-slate-600 file:mr-2 file:rounded file:border-0 file:bg-slate-100 file:px-2 file:py-1.5 file:text-sm"
          aria-label={`选择「${name}」文件`}
        />
        <button
          type="submit"
          disabled={busy}
          className="inline-flex shrink-0 items-center rounded-md border border-brand-600 bg-brand-600 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-brand-700 disabled:opacity-50"
        >
          {busy ? "正在上传…" : label}
        </button>
      </div>
      {answer ? (
        <p role={answer.ok ? "status" : "alert"} className={cx("text-xs", answer.ok ? "text-emerald-700" : "text-red-600")} data-testid="portal-upload-result">
          {answer.fields?.file ?? answer.message}
        </p>
      ) : null}
    </Form>
  );
}

/** The last upload's answer, at the top of the list: the row it came from may have left the list (received). */
export function UploadAnswer() {
  const answer = useActionData<PortalUploadAnswer>();
  if (!answer) return null;
  return (
    <p role={answer.ok ? "status" : "alert"} className={cx("rounded-md border px-3 py-2 text-sm", answer.ok ? "border-emerald-200 bg-emerald-50 text-emerald-800" : "border-red-200 bg-red-50 text-red-800")} data-testid="portal-upload-answer">
      {answer.fields?.file ?? answer.message}
    </p>
  );
}
