import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { landingPath } from "~/domain/access/policy";
import { getOptionalUser } from "~/web/session.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request);
  throw redirect(user ? landingPath(user.role) : "/login");
}
