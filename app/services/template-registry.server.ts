import fs from "node:fs";
import path from "node:path";
import { parseTemplateText, TemplateError, type Template, type TemplateProblem } from "~/domain/graph/template";
import { displayPath, loadTemplateCatalog } from "./template-catalog.server";

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

/** A shipped template and the file it came from (as shown in problems, e.g. "templates/general-industrial.json"). */
export interface ShippedTemplate {
  template: Template;
  file: string;
}

let shipped: Map<string, ShippedTemplate> | undefined;

/** The department codes a template text names, so that a check can accept exactly those. */
function namedDepartments(text: string): string[] {
  try {
    const json: unknown = JSON.parse(text.replace(/^\uFEFF/, ""));
    const items = (json as { items?: unknown } | null)?.items;
    if (!Array.isArray(items)) return [];
    return items.flatMap((i: unknown) => {
      const d = (i as { department?: unknown } | null)?.department;
      return typeof d === "string" ? [d.trim()] : [];
    });
  } catch {
    return []; // parseTemplateText reports the syntax error itself
  }
}

/**
 * The shipped templates (`templates/*.json`, read-only, 「内置」) by key, checked for
 * shape and graph but not for department codes: which departments exist is the
 * deployment's business and is checked when a project is created from one
 * (template-library.server.ts), so that the library can always list and show them.
 * The files ship with the app and do not change while it runs: read once.
 * A broken file is a bug in the release: TemplateError naming every problem.
 */
export function getShippedTemplates(): Map<string, ShippedTemplate> {
  if (shipped) return shipped;
  const dir = path.resolve("templates");
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.toLowerCase().endsWith(".json"))
    .map((d) => d.name)
    .sort();
  const problems: TemplateProblem[] = [];
  const out = new Map<string, ShippedTemplate>();
  for (const name of names) {
    const file = path.join(dir, name);
    const text = fs.readFileSync(file, "utf8");
    const shown = displayPath(file);
    const result = parseTemplateText(text, { file: shown, departments: namedDepartments(text) });
    if (!result.ok) {
      problems.push(...result.problems);
      continue;
    }
    const previous = out.get(result.template.key);
    if (previous) {
      problems.push({ file: shown, path: "key", message: `模板 key「${result.template.key}」重复（已在 ${previous.file} 中定义）` });
      continue;
    }
    out.set(result.template.key, { template: result.template, file: shown });
  }
  if (problems.length > 0) throw new TemplateError(problems);
  shipped = out;
  return out;
}
