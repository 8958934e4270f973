import { findUnsafeText } from "~/domain/validation/text";
import { AppError } from "~/services/errors.server";

/**
 * The boundary check of app/domain/validation/text.ts: a form's fields or a JSON body
 * with an unsafe string anywhere is refused (422) before any service sees it, with
 * the message next to the field it was found in.
 */
export function rejectUnsafeText(input: unknown): void {
  const found = findUnsafeText(input);
  if (!found) return;
  const message = found.path === "_" ? found.message : `「${found.path}」${found.message}`;
  throw new AppError("invalid", message, { [found.path]: message });
}

/** A page form's body that is not a form (JSON, plain text, a broken multipart): the 400 every page action answers. */
export const NOT_A_FORM = "表单格式不正确，请刷新页面后重试";
