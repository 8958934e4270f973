import type { Template } from "~/domain/graph/template";
import { loadTemplateCatalog } from "./template-catalog.server";

let cached: { key: string; catalog: Map<string, Template> } | undefined;

/**
 * Templates validated against the departments that exist. Read once per
 * department set: a broken template file fails loudly at the first use (and
 * at start-up), naming the file and the JSON path.
 */
export function getTemplateCatalog(departmentCodes: readonly string[]): Map<string, Template> {
  const key = [...departmentCodes].sort().join(",");
  if (!cached || cached.key !== key) cached = { key, catalog: loadTemplateCatalog(undefined, departmentCodes) };
  return cached.catalog;
}
