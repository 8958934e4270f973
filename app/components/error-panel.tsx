import { Link, isRouteErrorResponse } from "@remix-run/react";

const TITLES: Record<number, string> = {
  400: "请求有误",
  401: "请先登录",
  403: "没有访问权限",
  404: "页面或记录不存在",
  409: "数据已被他人修改",
  422: "输入有误",
};

/** Shows what went wrong in plain Chinese; never a stack trace. */
export function ErrorPanel({ error }: { error: unknown }) {
  let title = "系统出现问题";
  let message = "请稍后重试；如果问题持续，请联系系统管理员。";
  if (isRouteErrorResponse(error)) {
    title = TITLES[error.status] ?? title;
    if (typeof error.data === "string" && error.data) message = error.data;
    else if (error.status === 404) message = "您要找的内容不存在，或您没有查看它的权限。";
  }
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="text-lg font-semibold text-slate-900">{title}</h1>
      <p className="mt-2 text-sm text-slate-600">{message}</p>
      <Link to="/" className="mt-4 inline-block text-sm font-medium text-brand-700 hover:underline">
        返回首页
      </Link>
    </div>
  );
}
