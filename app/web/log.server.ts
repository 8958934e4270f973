/** The structured logger, for routes and entry.server (which reach infrastructure through the web layer). */
export { logger } from "~/utils/log.server";
