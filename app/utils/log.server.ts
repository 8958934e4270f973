import pino from "pino";

/*
 * Structured logs (issue 14): one JSON object per line on stdout, for the
 * platform's log collector. Secrets never reach a line: credentials, cookies,
 * tokens and passwords are redacted by key wherever they appear in an object,
 * and request paths are logged without their query (feed tokens ride there).
 */

const g = globalThis as unknown as { __gcLogger?: pino.Logger };

export const REDACTED_KEYS = [
  "password",
  "passwordHash",
  "token",
  "secret",
  "cookie",
  "authorization",
  "req.headers.cookie",
  "req.headers.authorization",
  "*.password",
  "*.passwordHash",
  "*.token",
  "*.secret",
  "*.cookie",
  "*.authorization",
  "*.headers.cookie",
  "*.headers.authorization",
  "*.headers.Cookie",
  "*.headers.Authorization",
  "*.*.password",
  "*.*.passwordHash",
  "*.*.token",
  "*.*.secret",
];

export function createLogger(destination?: pino.DestinationStream): pino.Logger {
  return pino(
    {
      level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "warn" : "info"),
      base: { service: process.env.GC_SERVICE ?? "web" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_KEYS, censor: "[redacted]" },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}

export function logger(): pino.Logger {
  return (g.__gcLogger ??= createLogger());
}
