/**
 * A record id as it arrives from a URL, a form or JSON: a positive decimal integer
 * that JavaScript represents exactly, or null ("abc", "1.5", "-3", "01e2", 2**60).
 * The one parser every route, API handler and service uses, so an id is valid in
 * one place exactly when it is valid in all of them.
 *
 * @example parseId("42") // 42
 * @example parseId("4.2") // null
 */
export function parseId(raw: unknown): number | null {
  if (typeof raw === "number") return Number.isSafeInteger(raw) && raw > 0 ? raw : null;
  if (typeof raw !== "string" || !/^[1-9]\d{0,15}$/.test(raw)) return null;
  const id = Number(raw);
  return Number.isSafeInteger(id) ? id : null;
}
