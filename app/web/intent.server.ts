import { data } from "@remix-run/node";
import { z } from "zod";
import { zhFieldErrorMap } from "~/domain/validation/zh-error-map";
import { AppError, invalidInput } from "~/services/errors.server";
import { formFields } from "./form-fields";

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
  const fields = formFields(await request.formData());
  const itemKey = typeof fields.itemKey === "string" ? fields.itemKey : "";
  const intent = typeof fields.intent === "string" ? fields.intent : "";
  try {
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
