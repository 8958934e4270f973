import { getDb } from "../app/utils/db.server";
import { seedDemo } from "./demo-seed";

const seeded = await seedDemo(getDb());
console.log(seeded ? "seed: demo data loaded" : "seed: database already has data; nothing changed");
