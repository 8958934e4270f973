import { MaxPartSizeExceededError, unstable_createMemoryUploadHandler, unstable_parseMultipartFormData } from "@remix-run/node";
import { AppError } from "~/services/errors.server";

/**
 * The one way a page action reads a form that may carry a file: a plain form as
 * is; a multipart one refused before it is read into memory when its body is larger
 * than the file cap allows, and refused with `tooLarge` (beside the `file` field)
 * when a part exceeds the cap; a malformed body is a 400, never a 500.
 */
export async function readUploadForm(request: Request, maxFileBytes: number, tooLarge: string): Promise<FormData> {
  const type = request.headers.get("Content-Type") ?? "";
  if (!type.startsWith("multipart/form-data")) return request.formData();
  // Headroom for the other fields and the multipart framing.
  if (Number(request.headers.get("Content-Length") ?? "0") > maxFileBytes + 256 * 1024) throw new AppError("invalid", tooLarge, { file: tooLarge });
  try {
    return await unstable_parseMultipartFormData(request, unstable_createMemoryUploadHandler({ maxPartSize: maxFileBytes }));
  } catch (e) {
    if (e instanceof MaxPartSizeExceededError) throw new AppError("invalid", tooLarge, { file: tooLarge });
    if (e instanceof TypeError) throw new AppError("bad_request", "表单格式不正确，请刷新页面后重试");
    throw e;
  }
}
