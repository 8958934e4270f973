import { createBullBoard } from "@bull-board/api";
import { BullAdapter } from "@bull-board/api/bullAdapter";
import { ExpressAdapter } from "@bull-board/express";
import type { Express, NextFunction, Request, Response } from "express";
import { createRequest } from "../app/utils/express-request";
import { getOptionalUser } from "../app/utils/session.server";
import { QUEUE_NAMES, getQueue } from "./queues";

/**
 * bull-board has no authentication of its own and board access equals Redis
 * access, so it is mounted behind the app session, administrators only.
 */
export function mountQueueBoard(app: Express): void {
  const adapter = new ExpressAdapter();
  adapter.setBasePath("/admin/queues");
  createBullBoard({ queues: QUEUE_NAMES.map((n) => new BullAdapter(getQueue(n))), serverAdapter: adapter });
  app.use(
    "/admin/queues",
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        const user = await getOptionalUser(createRequest(req));
        if (!user) return res.redirect(`/login?redirectTo=${encodeURIComponent("/admin/queues")}`);
        if (user.role !== "admin") return res.status(403).type("text/plain; charset=utf-8").send("仅系统管理员可访问任务队列面板");
        next();
      } catch (e) {
        next(e);
      }
    },
    adapter.getRouter(),
  );
}
