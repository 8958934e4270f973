/** `npm run api-token -- <login>`: prints a new bearer token for that user as the last line. */
import { createApiToken } from "../app/services/auth.server";
import { AppError } from "../app/services/errors.server";
import { getDb } from "../app/utils/db.server";

const login = process.argv[2];
if (!login) {
  console.error("用法：npm run api-token -- <登录名>");
  process.exit(2);
}
try {
  const token = createApiToken(getDb(), login);
  console.error(`已为用户「${login}」签发 API 令牌（只显示这一次，请妥善保存）：`);
  console.log(token);
} catch (e) {
  console.error(e instanceof AppError ? e.message : e);
  process.exit(1);
}
