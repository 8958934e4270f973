import { ButtonLink } from "~/components/ui";

/** 上一页 / 下一页 under a long list, with the rows shown; nothing when everything fits on one page. */
export function Pager({ page, pageSize, total, href }: { page: number; pageSize: number; total: number; href: (page: number) => string }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return null;
  const first = (page - 1) * pageSize + 1;
  return (
    <nav aria-label="分页" className="mt-4 flex items-center justify-between text-sm text-slate-600">
      <span className="tabular-nums">
        第 {first}–{Math.min(total, first + pageSize - 1)} 条，共 {total} 条
      </span>
      <span className="flex gap-2">
        {page > 1 ? (
          <ButtonLink to={href(page - 1)} rel="prev">
            上一页
          </ButtonLink>
        ) : null}
        {page < pages ? (
          <ButtonLink to={href(page + 1)} rel="next">
            下一页
          </ButtonLink>
        ) : null}
      </span>
    </nav>
  );
}
