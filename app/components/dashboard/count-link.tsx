import { Link } from "@remix-run/react";
import { StatCard } from "~/components/ui";

/** A dashboard count that opens the list behind it: the whole card is the link. */
export function CountLink({ to, label, value, tone, testId }: { to: string; label: string; value: number; tone?: "red" | "yellow" | "green"; testId?: string }) {
  return (
    <Link
      to={to}
      data-testid={testId}
      aria-label={`${label} ${value}，查看清单`}
      className="block rounded-lg transition-shadow hover:shadow-md focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500"
    >
      <StatCard label={label} value={value} tone={tone} />
    </Link>
  );
}
