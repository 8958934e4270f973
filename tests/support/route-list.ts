import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/*
 * The app's requests, read from app/routes/ the way Remix reads it (flat routes),
 * so the authorization matrix covers every page, action intent and API method
 * that exists, and a new one fails the matrix until someone says who may use it.
 */

export interface RouteModule {
  /** File name in app/routes/. */
  file: string;
  /** URL pattern, e.g. `/projects/:projectId/ledger.xlsx`; null for a pathless layout. */
  pattern: string | null;
  api: boolean;
  hasLoader: boolean;
  hasAction: boolean;
  /** The intents a page action tells apart (empty when it has one kind of POST). */
  intents: string[];
  /** HTTP methods an API route answers (other than 405). */
  apiMethods: string[];
}

/** One request kind: `GET /projects/:projectId`, `POST /projects/:projectId intent=event`, `PATCH /api/v1/projects/:id`. */
export interface RouteRequest {
  key: string;
  method: string;
  pattern: string;
  intent: string | null;
  api: boolean;
  file: string;
}

/** Splits a flat-route file name on dots that are not inside `[...]` escapes. */
function segmentsOf(name: string): string[] {
  const out: string[] = [];
  let cur = "";
  let escaped = false;
  for (const ch of name) {
    if (ch === "[") escaped = true;
    else if (ch === "]") escaped = false;
    else if (ch === "." && !escaped) {
      out.push(cur);
      cur = "";
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * Remix v2 flat-route file name → URL pattern.
 * @example routePattern("_app.projects_.$projectId.messages.tsx") // → "/projects/:projectId/messages"
 * @example routePattern("projects.ledger[.xlsx].ts")               // → "/projects/ledger.xlsx"
 * @example routePattern("_app.tsx")                                 // → null (pathless layout)
 */
export function routePattern(file: string): string | null {
  const base = file.replace(/\.(tsx|ts|jsx|js)$/, "");
  const parts: string[] = [];
  let pathless = true;
  for (const seg of segmentsOf(base)) {
    if (seg === "_index") {
      pathless = false;
      continue;
    }
    // A leading underscore makes a pathless layout segment; a trailing one only opts out of the parent layout.
    if (seg.startsWith("_")) continue;
    pathless = false;
    let s = seg.endsWith("_") ? seg.slice(0, -1) : seg;
    s = s.replace(/\[([^\]]*)\]/g, "$1");
    if (s === "$") s = "*";
    else if (s.startsWith("$")) s = ":" + s.slice(1);
    parts.push(s);
  }
  if (pathless) return null;
  return "/" + parts.join("/");
}

/** The text of an exported function or const arrow (up to its closing brace or end of line), or null. */
export function exportBody(src: string, name: string): string | null {
  const fn = new RegExp(`export\\s+(async\\s+)?function\\s+${name}\\s*\\(`).exec(src);
  const cn = new RegExp(`export\\s+const\\s+${name}\\s*=`).exec(src);
  const m = fn ?? cn;
  if (!m) return null;
  const start = m.index;
  if (!fn) {
    // `export const action = notFound;` or a one-line arrow: up to the end of the statement's line(s).
    const open = src.indexOf("{", start);
    const eol = src.indexOf("\n", start);
    if (open === -1 || (eol !== -1 && open > eol && !src.slice(start, eol).trimEnd().endsWith("=>"))) return src.slice(start, eol === -1 ? undefined : eol);
  }
  // Skip the parameter list's braces (destructuring) by finding the body's opening brace after `)`.
  let i = fn ? matchParen(src, src.indexOf("(", start)) : start;
  const open = src.indexOf("{", i);
  i = matchBrace(src, open);
  return src.slice(start, i + 1);
}

function matchParen(src: string, open: number): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === "(") depth++;
    else if (src[i] === ")" && --depth === 0) return i;
  }
  return src.length - 1;
}

function matchBrace(src: string, open: number): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === "{") depth++;
    else if (src[i] === "}" && --depth === 0) return i;
  }
  return src.length - 1;
}

/** The intents a page route's action handles: zod literals on `intent`, `form.get("intent")` and `….intent` comparisons, and `switch (…intent)` cases. */
export function intentsOf(src: string): string[] {
  const found = new Set<string>();
  for (const m of src.matchAll(/intent\s*:\s*z\.literal\(\s*"([^"]+)"\s*\)/g)) found.add(m[1]);
  for (const m of src.matchAll(/get\(\s*"intent"\s*\)\s*[!=]==\s*"([^"]+)"/g)) found.add(m[1]);
  for (const m of src.matchAll(/\.intent\s*[!=]==\s*"([^"]+)"/g)) found.add(m[1]);
  for (const m of src.matchAll(/switch\s*\(\s*[\w.]*\bintent\s*\)\s*\{/g)) {
    const open = m.index + m[0].length - 1;
    const block = src.slice(open, matchBrace(src, open) + 1);
    for (const c of block.matchAll(/case\s+"([^"]+)"\s*:/g)) found.add(c[1]);
  }
  return [...found].sort();
}

/** Methods an API module answers: GET when its loader serves (not a bare 405), and whatever its action checks `request.method` for. */
export function apiMethodsOf(src: string): string[] {
  const methods = new Set<string>();
  const loader = exportBody(src, "loader");
  const action = exportBody(src, "action");
  const serves = (body: string | null) => body !== null && !/^[^{]*\{\s*return\s+methodNotAllowed\(/.test(body);
  if (serves(loader)) methods.add("GET");
  if (action !== null && serves(action)) {
    const checked = [...action.matchAll(/request\.method\s*!==\s*"([A-Z]+)"/g)].map((m) => m[1]);
    if (checked.length) for (const c of checked) methods.add(c);
    // An action that checks no method serves every non-GET method (the catch-all's 404); POST stands for them.
    else methods.add("POST");
  }
  return [...methods].sort();
}

export function readRouteModules(dir = resolve("app/routes")): RouteModule[] {
  return readdirSync(dir)
    .filter((f) => /\.(tsx?|jsx?)$/.test(f))
    .sort()
    .map((file) => {
      const src = readFileSync(join(dir, file), "utf8");
      const pattern = routePattern(file);
      const api = pattern !== null && pattern.startsWith("/api/");
      const hasLoader = exportBody(src, "loader") !== null;
      const hasAction = exportBody(src, "action") !== null;
      return {
        file,
        pattern,
        api,
        hasLoader,
        hasAction,
        intents: !api && hasAction ? intentsOf(src) : [],
        apiMethods: api ? apiMethodsOf(src) : [],
      };
    });
}

/** Every request kind the app answers: one GET per loader, one POST per action intent (or per action), one per API method. */
export function routeRequests(modules = readRouteModules()): RouteRequest[] {
  const out: RouteRequest[] = [];
  for (const m of modules) {
    if (m.pattern === null) continue;
    const add = (method: string, intent: string | null) =>
      out.push({ key: `${method} ${m.pattern}${intent ? ` intent=${intent}` : ""}`, method, pattern: m.pattern!, intent, api: m.api, file: m.file });
    if (m.api) {
      for (const method of m.apiMethods) add(method, null);
      continue;
    }
    if (m.hasLoader) add("GET", null);
    if (m.hasAction) {
      if (m.intents.length) for (const i of m.intents) add("POST", i);
      else add("POST", null);
    }
  }
  return out;
}
