/**
 * Errors a service raises on purpose. Each carries an HTTP status and a
 * Chinese message that is safe to show; anything else is a bug and is logged,
 * never shown.
 */
export type ErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "invalid"
  | "rate_limited";

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid: 422,
  rate_limited: 429,
};

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = "AppError";
    this.status = STATUS[code];
  }
}

export const notFound = (what = "记录") => new AppError("not_found", `${what}不存在或无权查看`);
export const forbidden = (message = "没有执行此操作的权限") => new AppError("forbidden", message);

/** Turns zod issues into one Chinese sentence plus a field → message map for forms. */
export function invalidInput(issues: { path: (string | number)[]; message: string }[]): AppError {
  const fields: Record<string, string> = {};
  for (const i of issues) {
    const key = i.path.join(".") || "_";
    fields[key] ??= i.message;
  }
  const first = issues[0];
  return new AppError("invalid", first ? first.message : "输入有误", fields);
}
