import { z } from "zod";

/** Chinese messages for zod's generic issues: users never see zod's English defaults. */
const TYPE_NAMES: Record<string, string> = {
  string: "字符串",
  number: "数字",
  integer: "整数",
  boolean: "布尔值",
  object: "对象",
  array: "数组",
  null: "null",
  undefined: "空",
  float: "小数",
  nan: "NaN",
};
const typeName = (t: string) => TYPE_NAMES[t] ?? t;
const show = (v: unknown) => {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

/** zod error map with Chinese messages for the generic issues; explicit messages in the schema win. */
export const zhErrorMap: z.ZodErrorMap = (issue, ctx) => {
  switch (issue.code) {
    case z.ZodIssueCode.invalid_type:
      if (issue.received === "undefined") return { message: "缺少必填字段" };
      return { message: `类型错误：应为${typeName(issue.expected)}，实际为${typeName(issue.received)}` };
    case z.ZodIssueCode.invalid_enum_value:
      return {
        message: `取值无效「${String(issue.received)}」，可选值：${issue.options.map(String).join("、")}`,
      };
    case z.ZodIssueCode.unrecognized_keys:
      return { message: `未知字段：${issue.keys.join("、")}` };
    case z.ZodIssueCode.too_small:
      if (issue.type === "number") {
        if (Number(issue.minimum) === 0) return { message: `不能为负数（实际为 ${show(ctx.data)}）` };
        return { message: `不能小于 ${String(issue.minimum)}（实际为 ${show(ctx.data)}）` };
      }
      if (issue.type === "array") return { message: `至少需要 ${String(issue.minimum)} 项` };
      return { message: "不能为空" };
    case z.ZodIssueCode.too_big:
      return { message: `不能大于 ${String(issue.maximum)}（实际为 ${show(ctx.data)}）` };
    case z.ZodIssueCode.not_finite:
      return { message: "必须是有限数字" };
    case z.ZodIssueCode.invalid_string:
      return { message: "格式不正确" };
    case z.ZodIssueCode.invalid_date:
      return { message: "日期无效" };
    default:
      // invalid_union, invalid_literal, custom …: never fall back to zod's English text.
      return { message: "取值无效" };
  }
};

/**
 * The same, prefixed with the field path (「enterprise.name」…) for API and form
 * input, where the message alone would not say which field is wrong.
 */
export const zhFieldErrorMap: z.ZodErrorMap = (issue, ctx) => {
  // A message the schema itself gives (required_error, errorMap) arrives as
  // ctx.defaultError and wins; only zod's English default is replaced.
  const english = z.defaultErrorMap(issue, { data: ctx.data, defaultError: "" }).message;
  if (ctx.defaultError !== english) return { message: ctx.defaultError };
  const { message } = zhErrorMap(issue, ctx);
  return { message: issue.path.length ? `「${issue.path.join(".")}」${message}` : message };
};
