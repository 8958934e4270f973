import { describe, expect, it } from "vitest";
import { COMMON_PASSWORDS, checkPassword } from "~/domain/access/password-policy";

const owner = { login: "zhangwei", displayName: "张伟" };

describe("the password policy", () => {
  it.each([
    ["three classes, 10 characters", "Kaigong#26"],
    ["lower, digit, symbol", "lvse-tongdao-7"],
    ["16 lower-case letters need no other class", "lvsetongdaokaigo"],
    ["a long passphrase with inner spaces", "绿色通道 重点项目 按期开工 顺利投产"],
    ["exactly 128 characters", `Aa1!${"x".repeat(124)}`],
  ])("accepts %s", (_, password) => {
    expect(checkPassword(password, owner)).toEqual([]);
  });

  it("counts characters, not UTF-16 units: 9 characters with an emoji are too short", () => {
    const nine = "Ab1😀defgh";
    expect(nine.length).toBe(10);
    expect(checkPassword(nine, owner)).toEqual(["密码至少 10 个字符"]);
  });

  it("refuses a short password and says how long it must be", () => {
    expect(checkPassword("Ab1!efgh9", owner)).toEqual(["密码至少 10 个字符"]);
  });

  it("refuses more than 128 characters", () => {
    expect(checkPassword(`Aa1!${"x".repeat(125)}`, owner)).toEqual(["密码不能超过 128 个字符"]);
  });

  it("asks for three character classes below 16 characters, not from 16 on", () => {
    const classes = "密码需包含大写字母、小写字母、数字、符号中的至少三类（或长度不少于 16 个字符）";
    expect(checkPassword("kaigongshunli26", owner)).toEqual([classes]);
    expect(checkPassword("KAIGONGSHUNLI!!", owner)).toEqual([classes]);
    expect(checkPassword("kaigongshunli260", owner)).toEqual([]);
  });

  it("refuses a password containing the login, whatever its case", () => {
    expect(checkPassword("ZhangWei-2026!", owner)).toEqual(["密码不能包含用户名"]);
    expect(checkPassword("x-zhangwei-2026-Q", { login: " ZHANGWEI " })).toEqual(["密码不能包含用户名"]);
  });

  it("refuses a password containing the display name", () => {
    expect(checkPassword("Kaigong-26-欧阳娜娜", { login: "oyn", displayName: "欧阳娜娜" })).toEqual(["密码不能包含姓名"]);
  });

  it("does not look for logins of one or two characters inside the password", () => {
    expect(checkPassword("Religion-2026", { login: "li", displayName: "李" })).toEqual([]);
  });

  it("refuses leading or trailing whitespace", () => {
    expect(checkPassword(" Kaigong#2026", owner)).toEqual(["密码首尾不能有空格"]);
    expect(checkPassword("Kaigong#2026\t", owner)).toEqual(["密码首尾不能有空格"]);
  });

  it("refuses common passwords, whatever their case", () => {
    expect(checkPassword("Password@123", owner)).toContain("密码过于常见，容易被猜中，请换一个");
    expect(checkPassword("1qaz2wsx3edc", owner)).toContain("密码过于常见，容易被猜中，请换一个");
    // The demo seed's password must never pass in production.
    expect(checkPassword("demo1234", owner)).toContain("密码过于常见，容易被猜中，请换一个");
    expect(COMMON_PASSWORDS.length).toBeGreaterThanOrEqual(20);
    expect(COMMON_PASSWORDS.every((p) => p === p.toLowerCase())).toBe(true);
  });

  it("lists every problem at once, so the form can show them together", () => {
    expect(checkPassword("zhangwei ", owner)).toEqual([
      "密码首尾不能有空格",
      "密码至少 10 个字符",
      "密码需包含大写字母、小写字母、数字、符号中的至少三类（或长度不少于 16 个字符）",
      "密码不能包含用户名",
    ]);
  });
});
