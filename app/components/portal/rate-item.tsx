import { useNavigation } from "@remix-run/react";
import { Form } from "~/components/form";
import { RATING_COMMENT_MAX, RATING_LABELS, RATING_SCORES } from "~/domain/rating/vocabulary";
import { Alert, Badge, Button, Field, Textarea } from "~/components/ui";

/**
 * 好差评 form for one finished item (issue 12), for the portal's project page. Posts
 * `intent=rate`, `itemKey`, `score` (1–5) and `comment` to `action` (default: the
 * current route); the page's action calls ratings.server `rateItem`. Once rated it
 * shows the rating instead. Radio buttons, so it works on a phone without JavaScript.
 */
export function RateItem({
  itemKey,
  itemName,
  rating,
  action,
  error,
}: {
  itemKey: string;
  itemName: string;
  /** The item's rating when it has one (ratings.server `projectRatings(...).get(key)`). */
  rating?: { score: number; label: string; comment: string | null } | null;
  action?: string;
  /** The refusal to show beside this form (e.g. 已评价过). */
  error?: string | null;
}) {
  const nav = useNavigation();
  const busy = nav.state === "submitting" && nav.formData?.get("intent") === "rate" && nav.formData?.get("itemKey") === itemKey;
  if (rating) {
    return (
      <div className="text-sm" data-testid={`rating-${itemKey}`}>
        <Badge tone={rating.score <= 2 ? "red" : rating.score >= 4 ? "green" : "gray"}>
          已评价：{rating.label}（{rating.score} 分）
        </Badge>
        {rating.comment ? <p className="mt-1 break-words text-slate-600">{rating.comment}</p> : null}
      </div>
    );
  }
  return (
    <Form method="post" action={action} className="space-y-2" data-testid={`rate-form-${itemKey}`} aria-label={`评价「${itemName}」`}>
      <input type="hidden" name="intent" value="rate" />
      <input type="hidden" name="itemKey" value={itemKey} />
      {error ? <Alert>{error}</Alert> : null}
      <fieldset>
        <legend className="mb-1 text-sm font-medium text-slate-700">对「{itemName}」的办理满意吗？</legend>
        <div className="flex flex-wrap gap-2">
          {RATING_SCORES.map((s) => (
            <label key={s} className="flex cursor-pointer items-center gap-1 rounded-md border border-slate-300 px-2 py-1 text-sm has-[:checked]:border-brand-600 has-[:checked]:bg-brand-50">
              <input type="radio" name="score" value={s} required data-testid={`rate-${itemKey}-${s}`} />
              {RATING_LABELS[s]}
            </label>
          ))}
        </div>
      </fieldset>
      <Field label="评价内容（可选）" name={`comment-${itemKey}`}>
        <Textarea id={`comment-${itemKey}`} name="comment" rows={2} maxLength={RATING_COMMENT_MAX} placeholder="办理中的问题或建议" />
      </Field>
      <Button type="submit" variant="secondary" disabled={busy} data-testid={`rate-submit-${itemKey}`}>
        {busy ? "提交中…" : "提交评价"}
      </Button>
    </Form>
  );
}
