import { useRouteLoaderData } from "@remix-run/react";
import { createContext, useContext } from "react";

/*
 * The page's CSP nonce and CSRF token. The nonce exists only on the server
 * (entry.server provides it for Remix's inline scripts); the token comes with the
 * root loader's data, so forms rendered in the browser after a navigation carry
 * it too.
 */

export const NonceContext = createContext<string | undefined>(undefined);

export function useNonce(): string | undefined {
  return useContext(NonceContext);
}

/** Name of the hidden field (and app/web/csrf.server.ts's CSRF_FIELD). */
export const CSRF_FIELD = "_csrf";

export function useCsrfToken(): string {
  return useRouteLoaderData<{ csrfToken: string | null }>("root")?.csrfToken ?? "";
}

/** The hidden field every state-changing form carries. */
export function CsrfField() {
  return <input type="hidden" name={CSRF_FIELD} value={useCsrfToken()} />;
}
