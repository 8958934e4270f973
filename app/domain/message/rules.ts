/**
 * The project thread (issue 12): one conversation per project between the
 * enterprise's contacts and the project's proxy officers. Shared by the service
 * and the thread form, so the form's limit and the service's check agree.
 */
export const MESSAGE_BODY_MAX = 2000;

/** What posting to a thread answers the form: the refusal keeps the text so nothing is typed twice. */
export interface ThreadAnswer {
  ok: boolean;
  message: string;
  body?: string;
  fields?: Record<string, string>;
}
