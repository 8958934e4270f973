/**
 * 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-symbol alphabet
 * (no I, O, Z, S, V); the 18th is a check character, mod-31 weighted sum of
 * the first 17 (weights 3^i mod 31).
 */
const ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function creditCodeCheckChar(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = ALPHABET.indexOf(first17[i]);
    if (v < 0) return null;
    sum += v * WEIGHTS[i];
  }
  const c = (31 - (sum % 31)) % 31;
  return ALPHABET[c];
}

export type CreditCodeProblem = "length" | "charset" | "checksum";

/** Returns null for a valid code, otherwise what is wrong (the caller words it for the user). */
export function checkCreditCode(raw: string): CreditCodeProblem | null {
  const code = raw.trim().toUpperCase();
  if (code.length !== 18) return "length";
  for (const ch of code) if (!ALPHABET.includes(ch)) return "charset";
  return creditCodeCheckChar(code.slice(0, 17)) === code[17] ? null : "checksum";
}

export const CREDIT_CODE_MESSAGES: Record<CreditCodeProblem, string> = {
  length: "统一社会信用代码应为 18 位",
  charset: "统一社会信用代码含有无效字符（不使用 I、O、Z、S、V）",
  checksum: "统一社会信用代码校验位不正确，请核对",
};

export function normalizeCreditCode(raw: string): string {
  return raw.trim().toUpperCase();
}
