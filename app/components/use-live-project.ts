import { useRevalidator } from "@remix-run/react";
import { useEffect, useRef } from "react";

/**
 * Keeps an open project page current: polls the project's change counter and
 * reloads the page data only when somebody else changed something.
 */
export function useLiveProject(projectId: number, version: number, everyMs = 4_000) {
  const revalidator = useRevalidator();
  const seen = useRef(version);
  seen.current = version;
  useEffect(() => {
    const timer = setInterval(async () => {
      if (document.visibilityState !== "visible" || revalidator.state !== "idle") return;
      try {
        const r = await fetch(`/projects/${projectId}/version`, { headers: { Accept: "application/json" } });
        if (!r.ok) return;
        const { version: latest } = (await r.json()) as { version: number };
        if (latest !== seen.current) revalidator.revalidate();
      } catch {
        // offline for a moment: try again at the next tick
      }
    }, everyMs);
    return () => clearInterval(timer);
  }, [projectId, everyMs, revalidator]);
}
