import { Form } from "~/components/form";
import { Card } from "~/components/ui";
import { SupervisionFields, type SupervisionAnswer } from "./supervision-form";

/**
 * 督办 on the project page (leaders and coordinators): press the unit holding an
 * unfinished item — or the whole project, led by the department holding it up —
 * with a note and a time limit in working days. It becomes an action item on this
 * page and in the department's queue. An ordinary post: works without JavaScript.
 */
export function SupervisionCard({ items, answer, busy }: { items: readonly { key: string; name: string; department: string | null }[]; answer?: SupervisionAnswer | null; busy?: boolean }) {
  return (
    <Card title="督办">
      <Form method="post" preventScrollReset aria-label="督办" data-testid="project-supervision">
        <SupervisionFields idPrefix="project-supervise" items={items} answer={answer && answer.intent === "supervise" ? answer : null} busy={busy} />
      </Form>
    </Card>
  );
}
