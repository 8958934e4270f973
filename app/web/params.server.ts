import { parseId } from "~/domain/validation/id";

/** A route param that names a record: its id, or a 404 page for anything that is not one ("abc", "1.5", "-3"). */
export function routeId(raw: string | undefined, what = "项目"): number {
  const id = parseId(raw);
  if (id === null) throw new Response(`${what}不存在或无权查看`, { status: 404 });
  return id;
}
