import { loadConfig } from "../app/utils/config.server";
import { getDb } from "../app/utils/db.server";

getDb();
console.log(`migrate: ${loadConfig().databasePath} is up to date`);
