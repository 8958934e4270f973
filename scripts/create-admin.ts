/**
 * `npm run create-admin -- <login> [显示名]`: the first administrator of a real
 * deployment (started with SEED_DEMO=false). The password comes from
 * ADMIN_PASSWORD, or a strong one is generated and printed once.
 */
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { users } from "../db/schema";
import { hashPassword } from "../app/services/passwords.server";
import { checkPassword } from "../app/domain/access/password-policy";
import { getDb } from "../app/utils/db.server";

const [login, displayName = "系统管理员"] = process.argv.slice(2);
if (!login || !/^[A-Za-z0-9._-]{2,64}$/.test(login)) {
  console.error("用法：npm run create-admin -- <登录名> [显示名]（登录名 2–64 位字母、数字、.、_、-）");
  process.exit(2);
}
const db = getDb();
if (db.select({ id: users.id }).from(users).where(eq(users.login, login)).get()) {
  console.error(`用户「${login}」已存在，未做任何修改`);
  process.exit(1);
}
const password = process.env.ADMIN_PASSWORD || randomBytes(12).toString("base64url");
const weak = process.env.ADMIN_PASSWORD ? checkPassword(password, { login, displayName }) : [];
if (weak.length) {
  console.error(`ADMIN_PASSWORD 不符合密码要求：${weak.join("；")}`);
  process.exit(2);
}
// A generated password is a one-time password: its holder chooses their own at first sign-in.
db.insert(users).values({ login, displayName, role: "admin", passwordHash: await hashPassword(password), mustChangePassword: !process.env.ADMIN_PASSWORD }).run();
console.log(`已创建管理员「${login}」`);
if (!process.env.ADMIN_PASSWORD) console.log(`初始密码（只显示这一次）：${password}`);
