/**
 * Loads the approval-graph templates from `templates/*.json` (DESIGN §5).
 * Every file is validated; any problem in any file makes the whole load fail with
 * one TemplateError listing all problems across files, each naming the file
 * (relative, e.g. "templates/general-industrial.json"), the JSON path and what is wrong.
 *
 * Nothing is cached here: callers that want a cache keep the returned Map.
 */
import fs from "node:fs";
import path from "node:path";
import { DEFAULT_DEPARTMENT_CODES } from "~/domain/catalog/departments";
import {
  parseTemplateText,
  TemplateError,
  type Template,
  type TemplateProblem,
  type TemplateValidation,
} from "~/domain/graph/template";

/** Path as shown in problems: relative to the working directory with "/" separators, absolute when outside it. */
export function displayPath(file: string): string {
  const abs = path.resolve(file);
  const rel = path.relative(process.cwd(), abs);
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) return abs.split(path.sep).join("/");
  return rel.split(path.sep).join("/");
}

/** Read and validate one template file (not throwing). */
export function readTemplateFile(
  file: string,
  departments: readonly string[] = DEFAULT_DEPARTMENT_CODES,
): TemplateValidation {
  const shown = displayPath(file);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    return {
      ok: false,
      problems: [{ file: shown, path: "$", message: `无法读取模板文件：${e instanceof Error ? e.message : String(e)}` }],
    };
  }
  return parseTemplateText(text, { file: shown, departments });
}

/**
 * Every `*.json` in `dir` (not recursive), validated, by template key.
 * Throws TemplateError with all problems of all files; two files with the same
 * template key are a problem too.
 */
export function loadTemplateCatalog(
  dir: string = path.resolve("templates"),
  departments: readonly string[] = DEFAULT_DEPARTMENT_CODES,
): Map<string, Template> {
  let names: string[];
  try {
    names = fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isFile() && d.name.toLowerCase().endsWith(".json"))
      .map((d) => d.name)
      .sort();
  } catch (e) {
    throw new TemplateError([
      {
        file: displayPath(dir),
        path: "$",
        message: `无法读取模板目录：${e instanceof Error ? e.message : String(e)}`,
      },
    ]);
  }

  const problems: TemplateProblem[] = [];
  const catalog = new Map<string, Template>();
  const fileOfKey = new Map<string, string>();
  for (const name of names) {
    const file = path.join(dir, name);
    const result = readTemplateFile(file, departments);
    if (!result.ok) {
      problems.push(...result.problems);
      continue;
    }
    const { key } = result.template;
    const previous = fileOfKey.get(key);
    if (previous !== undefined) {
      problems.push({
        file: displayPath(file),
        path: "key",
        message: `模板 key「${key}」重复（已在 ${previous} 中定义）`,
      });
      continue;
    }
    fileOfKey.set(key, displayPath(file));
    catalog.set(key, result.template);
  }
  if (problems.length > 0) throw new TemplateError(problems);
  return catalog;
}
