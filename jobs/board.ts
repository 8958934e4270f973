import { createBullBoard } from "@bull-board/api";
import { BullAdapter } from "@bull-board/api/bullAdapter";
import { ExpressAdapter } from "@bull-board/express";
import type { Express, NextFunction, Request, Response } from "express";
import { QUEUE_NAMES, getQueue } from "./queues";

/** Who is asking: the web layer answers from the session; the board knows nothing of sessions. */
export type BoardViewer = (req: Request) => Promise<{ role: string; mustChangePassword?: boolean } | null>;

/**
 * bull-board has no authentication of its own and board access equals Redis
 * access, so it is mounted behind the app session, administrators only. The
 * caller (server.ts) passes the session lookup in, so jobs/ does not import the
 * web layer.
 */
export function mountQueueBoard(app: Express, viewerOf: BoardViewer): void {
  const adapter = new ExpressAdapter();
  adapter.setBasePath("/admin/queues");
  createBullBoard({ queues: QUEUE_NAMES.map((n) => new BullAdapter(getQueue(n))), serverAdapter: adapter });
  app.use(
    "/admin/queues",
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        const user = await viewerOf(req);
        if (!user) return res.redirect(`/login?redirectTo=${encodeURIComponent("/admin/queues")}`);
        // Like every page: a one-time password is exchanged for the user's own before anything else.
        if (user.mustChangePassword) return res.redirect("/account/password");
        if (user.role !== "admin") return res.status(403).type("text/plain; charset=utf-8").send("仅系统管理员可访问任务队列面板");
        next();
      } catch (e) {
        next(e);
      }
    },
    adapter.getRouter(),
  );
}
