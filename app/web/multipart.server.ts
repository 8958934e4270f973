import { AppError } from "~/services/errors.server";
import { formFields } from "./form-fields";
import { NOT_A_FORM, rejectUnsafeText } from "./input-text.server";

/**
 * The one way a page action reads a form that may carry a file: a plain form as
 * is; a multipart one refused before it is read into memory when its body is larger
 * than the file cap allows, and refused with `tooLarge` (beside the `file` field)
 * when a file exceeds the cap; a malformed body is a 400, never a 500.
 */
export async function readUploadForm(request: Request, maxFileBytes: number, tooLarge: string): Promise<FormData> {
  const form = await parseUploadForm(request, maxFileBytes, tooLarge);
  rejectUnsafeText(formFields(form));
  return form;
}

async function parseUploadForm(request: Request, maxFileBytes: number, tooLarge: string): Promise<FormData> {
  const type = request.headers.get("Content-Type") ?? "";
  if (!type.startsWith("multipart/form-data")) {
    try {
      return await request.formData();
    } catch (e) {
      // JSON, plain text or no Content-Type at all: not a form this page sends.
      if (e instanceof TypeError) throw new AppError("bad_request", NOT_A_FORM);
      throw e;
    }
  }
  // Headroom for the other fields and the multipart framing.
  if (Number(request.headers.get("Content-Length") ?? "0") > maxFileBytes + 256 * 1024) throw new AppError("invalid", tooLarge, { file: tooLarge });
  // The platform's parser, not Remix's: Remix's splits a part's headers on ";" and "=",
  // so a file named "报价(v=2).pdf" or "a;b.pdf" (which browsers send as typed) threw.
  // The body is bounded already: by Content-Length above, and by the server's page-body cap.
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw new AppError("bad_request", NOT_A_FORM);
  }
  for (const value of form.values()) {
    if (typeof value !== "string" && value.size > maxFileBytes) throw new AppError("invalid", tooLarge, { file: tooLarge });
  }
  return form;
}
