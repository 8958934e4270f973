import { AppError } from "~/services/errors.server";

/** Runs fn and returns the AppError it throws (anything else, or no error, fails the test). */
export function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected an AppError");
}
