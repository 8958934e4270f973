import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { serviceContext } from "~/services/context.server";
import { AppError } from "~/services/errors.server";
import { MAX_UPLOAD_BYTES } from "~/domain/material/upload-rules";
import { uploadMaterial, verifyMaterial } from "~/services/materials.server";
import { panelError, panelResult } from "~/web/panel-response.server";
import { routeId } from "~/web/params.server";
import { readUploadForm } from "~/web/multipart.server";
import { requireUser } from "~/web/session.server";

/** Materials checklist actions: upload (multipart), verify, reject. Posted by the materials panel. */

// The multipart envelope (boundaries, the other fields) adds a little to the file itself.
const TOO_LARGE = "文件超过 20 MB 上限，请压缩或拆分后再上传";

export async function loader({ params }: LoaderFunctionArgs) {
  return redirect(`/projects/${routeId(params.projectId)}`);
}

const readForm = (request: Request) => readUploadForm(request, MAX_UPLOAD_BYTES, TOO_LARGE);

const text = (v: FormDataEntryValue | null) => (typeof v === "string" ? v : "");

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const projectId = routeId(params.projectId);
  const ctx = serviceContext();
  try {
    const form = await readForm(request);
    const intent = text(form.get("intent"));
    const materialId = Number(text(form.get("materialId")));
    const note = text(form.get("note")).trim() || undefined;
    switch (intent) {
      case "upload": {
        const file = form.get("file");
        if (!file || typeof file === "string") throw new AppError("invalid", "请选择要上传的文件", { file: "请选择要上传的文件" });
        const result = await uploadMaterial(ctx, user, projectId, materialId, {
          name: file.name,
          type: file.type,
          bytes: new Uint8Array(await file.arrayBuffer()),
        });
        return panelResult(request, projectId, "materials", { ok: true, message: result.message });
      }
      case "verify":
      case "reject": {
        const result = verifyMaterial(ctx, user, projectId, materialId, { verified: intent === "verify", note });
        return panelResult(request, projectId, "materials", { ok: true, message: result.message });
      }
      default:
        throw new AppError("bad_request", "未知的操作");
    }
  } catch (e) {
    return panelError(request, projectId, "materials", e);
  }
}
