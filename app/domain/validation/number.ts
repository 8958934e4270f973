/**
 * A number field that arrives from JSON (a number) or from a form (its text).
 * Text is read as a decimal number, blank text as absent; any other type is left
 * as it is for the schema to refuse. Not `z.coerce.number()`: that turns `true`
 * into 1 and `[3]` into 3, so a wrong type would be stored as a score or a limit.
 *
 * @example z.preprocess(numberInput, z.number().int()).parse("5") // 5
 * @example z.preprocess(numberInput, z.number().int()).parse(true) // throws: invalid type
 */
export function numberInput(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const s = v.trim();
  return s === "" ? undefined : Number(s);
}
