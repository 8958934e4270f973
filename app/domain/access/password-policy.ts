/**
 * The password rule (issue 14), one place for every path that sets a password:
 * a user choosing their own, an administrator setting one. Pure: the caller passes
 * the candidate and whom it is for, and gets back every problem at once (so a form
 * can list them together), in Chinese; an empty list means the password is fine.
 *
 * Length beats composition (NIST SP 800-63B): 16 characters of anything pass the
 * composition rule, shorter ones need three of the four character classes.
 */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;
/** From this length on, the character classes are not asked for. */
export const PASSWORD_LONG_LENGTH = 16;
/** Logins shorter than this are not looked for inside the password: "li" would forbid "religion2026!". */
const MIN_NAME_TO_CHECK = 3;

/**
 * Passwords that guessing lists try first; compared case-insensitively. Short
 * ones are refused by the length rule already and are listed for the message.
 * The demo seed's demo1234 is here on purpose: it must never survive into production.
 */
export const COMMON_PASSWORDS: readonly string[] = [
  "12345678",
  "123456789",
  "1234567890",
  "11111111",
  "1111111111",
  "88888888",
  "8888888888",
  "66666666",
  "00000000",
  "0123456789",
  "password",
  "password1",
  "password123",
  "password@123",
  "p@ssw0rd",
  "p@ssw0rd123",
  "passw0rd123",
  "qwerty123",
  "qwerty1234",
  "qwertyuiop",
  "qwer1234",
  "1qaz2wsx",
  "1qaz2wsx3edc",
  "1q2w3e4r5t",
  "abc123456",
  "abc1234567",
  "a123456789",
  "aa123456789",
  "abcd1234",
  "abcdefgh",
  "admin123",
  "admin12345",
  "admin@123",
  "administrator",
  "root123456",
  "iloveyou",
  "woaini1314",
  "5201314520",
  "demo1234",
  "test123456",
  "welcome123",
  "changeme123",
  "zaq12wsx",
  "asdfghjkl",
  "1234qwer",
  "123qweasd",
  "123qweasdzxc",
  "qweasdzxc123",
];

const COMMON = new Set(COMMON_PASSWORDS);

export interface PasswordOwner {
  login: string;
  displayName?: string | null;
}

function characterClasses(password: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
}

function contains(password: string, name: string | null | undefined): boolean {
  const n = (name ?? "").trim().toLowerCase();
  return [...n].length >= MIN_NAME_TO_CHECK && password.toLowerCase().includes(n);
}

/**
 * Every problem with `password` for this user, in Chinese; [] when it may be used.
 *
 * @example checkPassword("zhang2026", { login: "zhang" })
 *          // → ["密码至少 10 个字符", "密码需包含大写字母、小写字母、数字、符号中的至少三类（或长度不少于 16 个字符）", "密码不能包含用户名"]
 * @example checkPassword("Lüqiao-Kaigong-2027", { login: "zhang" }) // → []
 */
export function checkPassword(password: string, owner: PasswordOwner): string[] {
  const problems: string[] = [];
  // Code points, not UTF-16 units: an emoji or a rare 汉字 is one character to the person typing it.
  const length = [...password].length;
  if (password !== password.trim()) problems.push("密码首尾不能有空格");
  if (length < PASSWORD_MIN_LENGTH) problems.push(`密码至少 ${PASSWORD_MIN_LENGTH} 个字符`);
  if (length > PASSWORD_MAX_LENGTH) problems.push(`密码不能超过 ${PASSWORD_MAX_LENGTH} 个字符`);
  if (length < PASSWORD_LONG_LENGTH && characterClasses(password) < 3) {
    problems.push(`密码需包含大写字母、小写字母、数字、符号中的至少三类（或长度不少于 ${PASSWORD_LONG_LENGTH} 个字符）`);
  }
  if (contains(password, owner.login)) problems.push("密码不能包含用户名");
  else if (contains(password, owner.displayName)) problems.push("密码不能包含姓名");
  if (COMMON.has(password.trim().toLowerCase())) problems.push("密码过于常见，容易被猜中，请换一个");
  return problems;
}
