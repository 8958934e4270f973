// Local ESLint plugin: the import direction between our layers.
// Plain JS with no dependencies so that eslint.config.js can load it without a
// build step, and so the layer map lives next to the code it polices.
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

// The repository root is this file's parent folder, not ESLint's cwd: running
// `npx eslint` from a subfolder must not turn "~/x" into a different path.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const CODE_EXT = /\.(?:[cm]?[jt]sx?)$/;
const RESOLVE_EXTS = [".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".json"];

const toPosix = (p) => p.split(path.sep).join("/");
const stripExt = (p) => p.replace(CODE_EXT, "");
const under = (p, dir) => p === dir || p.startsWith(`${dir}/`);
const isOneOf = (p, files) => files.includes(stripExt(p));

// First match wins; the order only matters for jobs/, whose files are split
// between infra (shared clients) and entry (processes).
const LAYERS = [
  ["tests", (p) => under(p, "tests")],
  ["domain", (p) => under(p, "app/domain")],
  ["db", (p) => under(p, "db")],
  ["infra", (p) => under(p, "app/utils") || isOneOf(p, ["jobs/connection", "jobs/queues", "jobs/wakeups"])],
  ["services", (p) => under(p, "app/services")],
  ["web", (p) => under(p, "app/web")],
  ["components", (p) => under(p, "app/components")],
  ["routes", (p) => under(p, "app/routes") || isOneOf(p, ["app/root"]) || /^app\/entry\.[^/]+$/.test(p)],
  [
    "entry",
    (p) =>
      isOneOf(p, ["server", "jobs/worker", "jobs/worker-core", "jobs/board"]) ||
      under(p, "scripts") ||
      under(p, "bench"),
  ],
];

export function classify(relPath) {
  for (const [layer, test] of LAYERS) if (test(relPath)) return layer;
  return null;
}

const ALL = ["domain", "db", "infra", "services", "web", "components", "routes", "entry", "tests"];

// allow: any import; typeOnly: `import type` only. A layer may always import
// itself. Anything else is a wrong-way import; only entry points (benches
// reuse the tests' seeded PRNG) may reach into tests/.
const MATRIX = {
  domain: { allow: [], typeOnly: [] },
  db: { allow: ["domain"], typeOnly: [] },
  infra: { allow: ["domain", "db"], typeOnly: [] },
  services: { allow: ["domain", "db", "infra"], typeOnly: [] },
  web: { allow: ["domain", "infra", "services"], typeOnly: [] },
  // Services hand components their view-model types; values would drag
  // server code into the browser bundle.
  components: { allow: ["domain"], typeOnly: ["services"] },
  routes: { allow: ["domain", "services", "web", "components"], typeOnly: ["infra"] },
  // Processes wire everything together, but never through the Remix UI.
  entry: { allow: ALL.filter((l) => l !== "routes" && l !== "components"), typeOnly: [] },
};

// The domain is pure rules: no persistence, queue, framework, UI or I/O.
const DOMAIN_BANNED_PACKAGES = [
  /^drizzle-orm(?:$|[/-])/,
  /^better-sqlite3(?:$|\/)/,
  /^bull(?:$|\/)/,
  /^ioredis(?:$|\/)/,
  /^@remix-run\//,
  /^react(?:$|\/)/,
  /^react-dom(?:$|\/)/,
  /^@xyflow\//,
  /^express(?:$|\/)/,
  /^(?:node:)?fs(?:$|\/)/,
  /^(?:node:)?child_process$/,
  /^exceljs(?:$|\/)/,
  /^nodemailer(?:$|\/)/,
];

const resolveCache = new Map();

// The target's real file name (with extension) makes the message point at
// something you can open; when nothing exists on disk (a file being written,
// or a virtual path in tests) the bare specifier path still classifies.
function resolveOnDisk(abs) {
  if (resolveCache.has(abs)) return resolveCache.get(abs);
  let found = abs;
  const isFile = (p) => existsSync(p) && statSync(p).isFile();
  if (!isFile(abs)) {
    const candidates = [
      ...RESOLVE_EXTS.map((ext) => abs + ext),
      ...RESOLVE_EXTS.map((ext) => path.join(abs, `index${ext}`)),
    ];
    found = candidates.find(isFile) ?? abs;
  }
  resolveCache.set(abs, found);
  return found;
}

function resolveSpecifier(spec, fromAbs) {
  const clean = spec.replace(/[?#].*$/, "");
  let abs = null;
  if (clean.startsWith("~/")) abs = path.join(ROOT, "app", clean.slice(2));
  else if (clean.startsWith("./") || clean.startsWith("../") || clean === "." || clean === "..")
    abs = path.resolve(path.dirname(fromAbs), clean);
  if (abs === null) return { kind: "package", name: spec };
  const rel = toPosix(path.relative(ROOT, resolveOnDisk(abs)));
  if (rel.startsWith("../") || path.isAbsolute(rel)) return { kind: "outside", path: rel };
  return { kind: "file", path: rel };
}

function isTypeOnlyImport(node) {
  if (node.importKind === "type") return true;
  return (
    node.specifiers.length > 0 &&
    node.specifiers.every((s) => s.type === "ImportSpecifier" && s.importKind === "type")
  );
}

function isTypeOnlyExport(node) {
  if (node.exportKind === "type") return true;
  return (
    node.type === "ExportNamedDeclaration" &&
    node.specifiers.length > 0 &&
    node.specifiers.every((s) => s.exportKind === "type")
  );
}

const TAIL = "layers point down — routes → services → domain";

const rule = {
  meta: {
    type: "problem",
    docs: {
      description:
        "Imports point down the layers (routes → services → domain); the domain imports no I/O or framework packages",
    },
    schema: [],
    messages: {
      wrongWay: `"{{from}}" ({{fromLayer}}) must not import "{{to}}" ({{toLayer}}): ${TAIL}`,
      typeOnly: `"{{from}}" ({{fromLayer}}) must not import values from "{{to}}" ({{toLayer}}), only types with \`import type\`: ${TAIL}`,
      domainPackage: `"{{from}}" (domain) must not import package "{{to}}": the domain is pure rules, no persistence, queue, framework, UI or file I/O`,
    },
  },
  create(context) {
    const fromAbs = context.physicalFilename ?? context.filename;
    if (!fromAbs || !path.isAbsolute(fromAbs)) return {};
    const from = toPosix(path.relative(ROOT, fromAbs));
    if (from.startsWith("../")) return {};
    const fromLayer = classify(from);
    if (fromLayer === null || fromLayer === "tests") return {};
    const rules = MATRIX[fromLayer];

    function check(sourceNode, typeOnly) {
      if (!sourceNode || sourceNode.type !== "Literal" || typeof sourceNode.value !== "string") return;
      const target = resolveSpecifier(sourceNode.value, fromAbs);

      if (target.kind === "package") {
        if (fromLayer === "domain" && DOMAIN_BANNED_PACKAGES.some((re) => re.test(target.name)))
          context.report({ node: sourceNode, messageId: "domainPackage", data: { from, to: target.name } });
        return;
      }
      if (target.kind !== "file") return;

      const to = target.path;
      const toLayer = classify(to);
      // Unlayered files (json data, css, root config) are not code layers.
      if (toLayer === null) return;
      const data = { from, fromLayer, to, toLayer };

      // Routes reach the database and the queues only through services.
      if (fromLayer === "routes" && (under(to, "db") || under(to, "jobs"))) {
        context.report({ node: sourceNode, messageId: "wrongWay", data });
        return;
      }
      // A *.server module never ships to the browser, whatever folder it is in.
      if (fromLayer === "components" && /\.server(?:\.|$)/.test(path.posix.basename(to)) && !typeOnly) {
        context.report({ node: sourceNode, messageId: toLayer === "services" ? "typeOnly" : "wrongWay", data });
        return;
      }

      if (toLayer === fromLayer || rules.allow.includes(toLayer)) return;
      if (rules.typeOnly.includes(toLayer)) {
        if (!typeOnly) context.report({ node: sourceNode, messageId: "typeOnly", data });
        return;
      }
      context.report({ node: sourceNode, messageId: "wrongWay", data });
    }

    return {
      ImportDeclaration: (node) => check(node.source, isTypeOnlyImport(node)),
      ExportNamedDeclaration: (node) => node.source && check(node.source, isTypeOnlyExport(node)),
      ExportAllDeclaration: (node) => check(node.source, isTypeOnlyExport(node)),
      ImportExpression: (node) => check(node.source, false),
      // `typeof import("...")` in a type position is erased at build time.
      TSImportType: (node) => {
        const lit = node.source ?? node.argument?.literal;
        check(lit, true);
      },
    };
  },
};

export default {
  meta: { name: "layers" },
  rules: { "imports-point-down": rule },
};
