import { Form as RemixForm, type FormProps } from "@remix-run/react";
import { forwardRef } from "react";
import { CsrfField } from "./security";

/**
 * Remix's Form with the page's CSRF token in every form that changes something
 * (any method but GET). Pages import Form from here, never from @remix-run/react
 * (lint enforces it), so no state-changing form goes out without its token.
 */
export const Form = forwardRef<HTMLFormElement, FormProps>(function Form({ children, ...props }, ref) {
  const changes = (props.method ?? "get").toLowerCase() !== "get";
  return (
    <RemixForm ref={ref} {...props}>
      {changes ? <CsrfField /> : null}
      {children}
    </RemixForm>
  );
});
