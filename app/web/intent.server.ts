import { data } from "@remix-run/node";
import { z } from "zod";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import { AppError, invalidInput } from "~/services/errors.server";
import { formFields } from "./form-fields";
import { NOT_A_FORM, rejectUnsafeText } from "./input-text.server";

/** What readFormValues gives for a body that is not a form: no fields, told apart by identity. */
const NOT_A_FORM_FIELDS: Record<string, string | string[]> = Object.freeze({}) as Record<string, string | string[]>;

/** What a page action answers, success or refusal: the form shows `message` (and `fields` next to inputs). */
export interface ActionAnswer {
  ok: boolean;
  message: string;
  /** The item the form belonged to, so the page can show the answer beside it. */
  itemKey: string;
  /** The intent answered, so a page with several forms shows the answer beside the right one. */
  intent: string;
  fields?: Record<string, string>;
}

/**
 * The one way a page action runs: parse the form into one of the route's intents
 * (a zod discriminated union on `intent`), run its handler, and answer an
 * ActionAnswer. A service's refusal (AppError) becomes the same answer with its
 * status and message; an unknown intent is a 400; anything else is a bug and
 * propagates to the error boundary (logged, never shown).
 */
export async function dispatchIntent<Schema extends z.ZodTypeAny>(
  request: Request,
  schema: Schema,
  handle: (input: z.output<Schema>) => { message: string; itemKey?: string } | Promise<{ message: string; itemKey?: string }>,
) {
  const fields = await readFormValues(request);
  const itemKey = typeof fields.itemKey === "string" ? fields.itemKey : "";
  const intent = typeof fields.intent === "string" ? fields.intent : "";
  try {
    if (fields === NOT_A_FORM_FIELDS) throw new AppError("bad_request", NOT_A_FORM);
    rejectUnsafeText(fields);
    const parsed = schema.safeParse(fields, { errorMap: zhFieldErrorMap });
    if (!parsed.success) {
      const unknownIntent = parsed.error.issues.some((i) => i.code === "invalid_union_discriminator");
      throw unknownIntent ? new AppError("bad_request", "未知的操作，请刷新页面后重试") : invalidInput(parsed.error.issues);
    }
    const done = await handle(parsed.data);
    return data<ActionAnswer>({ ok: true, message: done.message, itemKey: done.itemKey ?? itemKey, intent }, { status: 200 });
  } catch (e) {
    if (e instanceof AppError) {
      return data<ActionAnswer>({ ok: false, message: e.message, itemKey, intent, ...(e.fields ? { fields: e.fields } : {}) }, { status: e.status });
    }
    throw e;
  }
}


/**
 * A page form's fields (formFields), for the action and for echoing what was typed
 * back on a refusal. A body that is not a form (JSON, plain text) reads as no fields
 * here instead of throwing, so dispatchIntent can answer it with a 400.
 */
export async function readFormValues(request: Request): Promise<Record<string, string | string[]>> {
  try {
    return formFields(await request.formData());
  } catch (e) {
    if (e instanceof TypeError) return NOT_A_FORM_FIELDS;
    throw e;
  }
}
