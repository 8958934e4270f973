import path from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint, type Linter } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

// The real eslint.config.js, fed virtual file paths: lintText never touches
// the disk, so no scratch files appear in app/ while other tests run.
const root = fileURLToPath(new URL("../..", import.meta.url));
const RULE = "layers/imports-point-down";
const TAIL = "layers point down — routes → services → domain";

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

async function layerErrors(file: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === RULE);
}

describe("layers/imports-point-down", () => {
  it("is on as an error for app code and off for tests", async () => {
    const appConfig = await eslint.calculateConfigForFile(path.join(root, "app/domain/__case.ts"));
    expect(appConfig.rules?.[RULE]?.[0]).toBe(2);
    const testConfig = await eslint.calculateConfigForFile(path.join(root, "tests/unit/__case.test.ts"));
    expect(testConfig.rules?.[RULE]).toBeUndefined();
  });

  it("fails a domain file that imports a service", async () => {
    const errors = await layerErrors(
      "app/domain/__case.ts",
      'import { x } from "~/services/x.server";\nexport const y = x;\n',
    );
    expect(errors).toHaveLength(1);
    expect(errors[0].severity).toBe(2);
    expect(errors[0].message).toBe(
      `"app/domain/__case.ts" (domain) must not import "app/services/x.server" (services): ${TAIL}`,
    );
  });

  it("fails a domain file that imports drizzle-orm, also by dynamic import", async () => {
    const errors = await layerErrors(
      "app/domain/__case.ts",
      'import { sql } from "drizzle-orm";\nexport const y = sql;\nexport const z = () => import("drizzle-orm/sqlite-core");\n',
    );
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringContaining('(domain) must not import package "drizzle-orm"'),
      expect.stringContaining('(domain) must not import package "drizzle-orm/sqlite-core"'),
    ]);
  });

  it("lets the domain import zod and its own modules", async () => {
    const errors = await layerErrors(
      "app/domain/__case.ts",
      'import { z } from "zod";\nimport { toDay } from "../calendar/dates";\nexport const y = [z, toDay];\n',
    );
    expect(errors).toEqual([]);
  });

  it("fails a component importing a service value, passes `import type`", async () => {
    const value = await layerErrors(
      "app/components/__case.tsx",
      'import { loadThing } from "~/services/x.server";\nexport const y = loadThing;\n',
    );
    expect(value).toHaveLength(1);
    expect(value[0].message).toContain('"app/components/__case.tsx" (components) must not import values from "app/services/x.server" (services)');

    const typeOnly = await layerErrors(
      "app/components/__case.tsx",
      'import type { Thing } from "~/services/x.server";\nexport type Y = Thing;\n',
    );
    expect(typeOnly).toEqual([]);

    const inlineTypes = await layerErrors(
      "app/components/__case.tsx",
      'import { type Thing } from "~/services/x.server";\nexport type Y = Thing;\n',
    );
    expect(inlineTypes).toEqual([]);
  });

  it("passes a service importing the domain", async () => {
    const errors = await layerErrors(
      "app/services/__case.server.ts",
      'import { toDay } from "~/domain/calendar/dates";\nexport const y = toDay;\n',
    );
    expect(errors).toEqual([]);
  });

  it("fails a db/ file importing a service", async () => {
    const errors = await layerErrors(
      "db/__case.ts",
      'import { x } from "../app/services/x.server";\nexport const y = x;\n',
    );
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toBe(`"db/__case.ts" (db) must not import "app/services/x.server" (services): ${TAIL}`);
  });

  it("fails jobs/wakeups.ts (infra) importing a service, also via re-export", async () => {
    const errors = await layerErrors(
      "jobs/wakeups.ts",
      'import { x } from "../app/services/x.server";\nexport const y = x;\nexport * from "../app/services/y.server";\n',
    );
    expect(errors.map((e) => e.message)).toEqual([
      `"jobs/wakeups.ts" (infra) must not import "app/services/x.server" (services): ${TAIL}`,
      `"jobs/wakeups.ts" (infra) must not import "app/services/y.server" (services): ${TAIL}`,
    ]);
  });

  it("fails a route reaching into db/ even for types", async () => {
    const errors = await layerErrors(
      "app/routes/__case.tsx",
      'import type { users } from "../../db/schema";\nexport type Y = typeof users;\n',
    );
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain('must not import "db/schema.ts" (db)');
  });
});
