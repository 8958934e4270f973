import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useRouteError } from "@remix-run/react";
import { useCsrfToken, useNonce } from "./components/security";
import type { ReactNode } from "react";
import styles from "./styles/tailwind.css";
import { ErrorPanel } from "./components/error-panel";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "data:," },
];

export const meta: MetaFunction = () => [{ title: "绿色通道 · 重点项目审批协同" }];

/** The CSRF token of this browser's session (server.ts's csrfGuard computes it), for every form and the meta tag. */
export function loader({ context }: LoaderFunctionArgs) {
  return { csrfToken: context.csrfToken ?? null };
}

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  const csrf = useCsrfToken();
  return (
    <html lang="zh-CN">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {csrf ? <meta name="csrf-token" content={csrf} /> : null}
        <Meta />
        <Links />
      </head>
      <body className="min-h-screen">
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  return (
    <div className="mx-auto max-w-xl p-10">
      <ErrorPanel error={error} />
    </div>
  );
}
