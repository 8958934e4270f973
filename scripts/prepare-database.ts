import { getDb } from "../app/utils/db.server";
import { loadConfig } from "../app/utils/config.server";
import { seedDemo } from "./demo-seed";

/** Migrations always; demo data only into an empty database and only unless SEED_DEMO=false. */
export async function prepareDatabase(env: NodeJS.ProcessEnv = process.env): Promise<{ path: string; seeded: boolean }> {
  const db = getDb();
  const seeded = env.SEED_DEMO === "false" ? false : await seedDemo(db);
  return { path: loadConfig(env).databasePath, seeded };
}
