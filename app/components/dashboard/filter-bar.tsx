import { Link } from "@remix-run/react";
import { Form } from "~/components/form";
import { Button, Select } from "~/components/ui";
import type { DashboardFilterValues } from "~/domain/dashboard/lists";
import { PROJECT_LEVEL_LABELS, type PROJECT_LEVELS } from "~/domain/project/types";

export interface FilterOptions {
  levels: readonly string[];
  industries: readonly string[];
  regions: readonly string[];
  proxies: readonly { id: number; name: string }[];
}

const levelLabel = (l: string) => PROJECT_LEVEL_LABELS[l as (typeof PROJECT_LEVELS)[number]] ?? l;

/**
 * The dashboard's filters as a plain GET form: works without JavaScript, keeps
 * its values (they come back from the URL) and the URL can be bookmarked. `keep`
 * carries the page's own parameters (the list shown) through a new filter.
 */
export function DashboardFilterBar({ action, filter, options, keep = {} }: { action: string; filter: DashboardFilterValues; options: FilterOptions; keep?: Record<string, string | null> }) {
  const filtered = Boolean(filter.level || filter.industry || filter.region || filter.proxy);
  const clearQuery = new URLSearchParams(Object.entries(keep).filter((e): e is [string, string] => Boolean(e[1]))).toString();
  return (
    <Form method="get" action={action} className="mb-4 flex flex-wrap items-end gap-3" aria-label="筛选项目" data-testid="dashboard-filter">
      {Object.entries(keep).map(([k, v]) => (v ? <input key={k} type="hidden" name={k} value={v} /> : null))}
      <label className="text-xs text-slate-600">
        级别
        <Select name="level" defaultValue={filter.level} className="mt-1 w-28 py-1">
          <option value="">全部级别</option>
          {options.levels.map((l) => (
            <option key={l} value={l}>
              {levelLabel(l)}
            </option>
          ))}
        </Select>
      </label>
      <label className="text-xs text-slate-600">
        行业
        <Select name="industry" defaultValue={filter.industry} className="mt-1 w-36 py-1">
          <option value="">全部行业</option>
          {options.industries.map((i) => (
            <option key={i} value={i}>
              {i}
            </option>
          ))}
        </Select>
      </label>
      <label className="text-xs text-slate-600">
        地区
        <Select name="region" defaultValue={filter.region} className="mt-1 w-36 py-1">
          <option value="">全部地区</option>
          {options.regions.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </Select>
      </label>
      <label className="text-xs text-slate-600">
        代办员
        <Select name="proxy" defaultValue={filter.proxy} className="mt-1 w-32 py-1">
          <option value="">全部代办员</option>
          {options.proxies.map((p) => (
            <option key={p.id} value={String(p.id)}>
              {p.name}
            </option>
          ))}
        </Select>
      </label>
      <Button type="submit" variant="secondary">
        筛选
      </Button>
      {filtered ? (
        <Link to={`${action}${clearQuery ? `?${clearQuery}` : ""}`} className="pb-1.5 text-sm text-brand-700 hover:underline">
          清除筛选
        </Link>
      ) : null}
    </Form>
  );
}

/** The active filters in words, for a list's heading. */
export function filterChips(filter: DashboardFilterValues, options: FilterOptions): string[] {
  const chips: string[] = [];
  if (filter.level) chips.push(`级别：${levelLabel(filter.level)}`);
  if (filter.industry) chips.push(`行业：${filter.industry}`);
  if (filter.region) chips.push(`地区：${filter.region}`);
  if (filter.proxy) chips.push(`代办员：${options.proxies.find((p) => String(p.id) === filter.proxy)?.name ?? filter.proxy}`);
  return chips;
}
