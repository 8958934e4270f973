import { useSearchParams } from "@remix-run/react";
import { Alert } from "~/components/ui";

/**
 * The outcome of a panel form post. Those posts are plain HTML forms (they
 * work before hydration), answered by a redirect back to the project page with
 * `?flash=<panel>&ok=…&msg=…`; this shows that message in the panel it is for.
 */
export function PanelFlash({ panel }: { panel: "materials" | "timeline" }) {
  const [params] = useSearchParams();
  if (params.get("flash") !== panel) return null;
  const msg = params.get("msg");
  if (!msg) return null;
  const ok = params.get("ok") === "1";
  return (
    <div className="mb-3" data-testid={`${panel}-result`}>
      <Alert tone={ok ? "green" : "red"}>{msg}</Alert>
    </div>
  );
}
