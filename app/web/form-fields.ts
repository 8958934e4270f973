import { z } from "zod";

/*
 * Reading HTML form posts with zod. Not a .server module on purpose: route modules
 * declare their intent schemas at the top level, and that code also runs in the
 * browser bundle, where a .server module is empty.
 */

/**
 * A form's fields as a plain object for zod: a name sent once is a string, a name
 * sent several times (checkbox groups) is an array, files are dropped.
 */
export function formFields(form: FormData): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(form.keys())) {
    const values = form.getAll(key).filter((v): v is string => typeof v === "string");
    if (values.length) out[key] = values.length === 1 ? values[0] : values;
  }
  return out;
}

/** A checkbox group: absent → [], one value → [value], several → all, blanks dropped. */
export const formList = () =>
  z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string()).transform((a) => a.filter(Boolean)));

/** An optional text input: absent or blank → undefined. */
export const formText = () => z.preprocess((v) => (typeof v === "string" && v.trim() !== "" ? v : undefined), z.string().optional());
