import type { ReactNode } from "react";
import { Alert, Button, Input, Select, Textarea } from "~/components/ui";

/** What the page action answered to a 督办 post (the shape of the app's ActionAnswer). */
export interface SupervisionAnswer {
  ok: boolean;
  message: string;
  intent?: string;
  fields?: Record<string, string>;
}

/** The default 办结时限 of a 督办, in working days. */
export const DEFAULT_SUPERVISION_DAYS = 5;

/**
 * Each refusal beside the input it is about; the form has no department field, so the
 * service's "请选择责任单位" (a whole project with nobody holding it up) shows by the item choice.
 */
function fieldError(fields: Record<string, string> | undefined, name: "note" | "dueInWorkingDays" | "itemKey"): string | undefined {
  if (!fields) return undefined;
  const aliases = { note: ["note"], dueInWorkingDays: ["dueInWorkingDays", "dueOn"], itemKey: ["itemKey", "leadDepartment", "projectId"] }[name];
  for (const a of aliases) if (fields[a]) return fields[a];
  return undefined;
}

/**
 * The inputs of a 督办 (the caller wraps them in its form, a plain post or a
 * fetcher): what to press for, in how many working days, and — on the project
 * page — which item or the whole project. Refused input comes back with the
 * Chinese message beside its field; the browser keeps what was typed.
 */
export function SupervisionFields({
  idPrefix,
  itemKey,
  items,
  answer,
  busy,
  onCancel,
}: {
  /** Keeps the input ids unique when several forms are on one page. */
  idPrefix: string;
  /** A fixed item (the dashboard row's blocking item); omitted for a choice from `items`. */
  itemKey?: string | null;
  items?: readonly { key: string; name: string; department: string | null }[];
  answer?: SupervisionAnswer | null;
  busy?: boolean;
  onCancel?: ReactNode;
}) {
  const fields = answer && !answer.ok ? answer.fields : undefined;
  const err = (name: "note" | "dueInWorkingDays" | "itemKey") => fieldError(fields, name);
  const id = (name: string) => `${idPrefix}-${name}`;
  return (
    <div className="space-y-3">
      <input type="hidden" name="intent" value="supervise" />
      {items ? (
        <div className="space-y-1">
          <label htmlFor={id("itemKey")} className="block text-sm font-medium text-slate-700">
            督办对象
          </label>
          <Select id={id("itemKey")} name="itemKey" defaultValue="" aria-invalid={err("itemKey") ? true : undefined}>
            <option value="">整个项目（由卡点事项所在部门牵头）</option>
            {items.map((i) => (
              <option key={i.key} value={i.key}>
                {i.name}
                {i.department ? `（${i.department}）` : ""}
              </option>
            ))}
          </Select>
          {err("itemKey") ? (
            <p className="text-xs text-red-600" role="alert">
              {err("itemKey")}
            </p>
          ) : null}
        </div>
      ) : itemKey ? (
        <input type="hidden" name="itemKey" value={itemKey} />
      ) : null}
      <div className="space-y-1">
        <label htmlFor={id("note")} className="block text-sm font-medium text-slate-700">
          督办事项
        </label>
        <Textarea
          id={id("note")}
          name="note"
          rows={2}
          maxLength={180}
          required
          placeholder="如：请于时限内出具审查意见，并在系统中填写办理情况"
          aria-invalid={err("note") ? true : undefined}
          aria-describedby={err("note") ? id("note-error") : undefined}
        />
        {err("note") ? (
          <p id={id("note-error")} className="text-xs text-red-600" role="alert">
            {err("note")}
          </p>
        ) : null}
      </div>
      <div className="flex flex-wrap items-end gap-3">
        <div className="space-y-1">
          <label htmlFor={id("days")} className="block text-sm font-medium text-slate-700">
            办结时限（工作日）
          </label>
          <Input
            id={id("days")}
            name="dueInWorkingDays"
            type="number"
            min={1}
            defaultValue={DEFAULT_SUPERVISION_DAYS}
            className="w-28"
            aria-invalid={err("dueInWorkingDays") ? true : undefined}
            aria-describedby={err("dueInWorkingDays") ? id("days-error") : undefined}
          />
        </div>
        <Button type="submit" disabled={busy}>
          {busy ? "提交中…" : "发出督办"}
        </Button>
        {onCancel}
      </div>
      {err("dueInWorkingDays") ? (
        <p id={id("days-error")} className="text-xs text-red-600" role="alert">
          {err("dueInWorkingDays")}
        </p>
      ) : null}
      {/* A refusal already shown beside its field is not repeated below. */}
      {answer && (answer.ok || !(["note", "dueInWorkingDays", "itemKey"] as const).some((n) => err(n) === answer.message)) ? (
        <div data-testid="supervision-result" data-ok={answer.ok ? "true" : "false"}>
          <Alert tone={answer.ok ? "green" : "red"}>{answer.message}</Alert>
        </div>
      ) : null}
    </div>
  );
}
