/**
 * Structured JSON logs (pino, through fastify). One line per request with method, path (never the
 * query string), route, status, duration, request and correlation ids. API keys, Authorization
 * headers, secrets and signatures are redacted wherever they would appear; request bodies and
 * headers are never logged whole.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyServerOptions } from "fastify";
import type { LogLevel } from "../config";
import { pathOf } from "./request-context";

/** Where log lines go (one JSON object per write). */
export interface LogDestination {
  write(line: string): void;
}

export interface LogOptions {
  level?: LogLevel;
  destination?: LogDestination;
}

const SENSITIVE_KEYS = [
  "authorization",
  '["x-api-key"]',
  '["x-wallet-auth"]',
  "api_key",
  "apiKey",
  "usage_api_key",
  "usageApiKey",
  "signature",
  "secret",
  "rootSecret",
  "root_secret",
  "privateKey",
  "private_key",
  "password",
];

/** pino redact paths: the sensitive keys at the top level and up to two levels deep. */
export const REDACT_PATHS: string[] = [
  ...SENSITIVE_KEYS,
  ...SENSITIVE_KEYS.map((k) => (k.startsWith("[") ? `*${k}` : `*.${k}`)),
  ...SENSITIVE_KEYS.map((k) => (k.startsWith("[") ? `*.*${k}` : `*.*.${k}`)),
  "req.headers",
  "body",
  "*.body",
];

/** Fastify `logger` options for a level and an optional destination stream. */
export function loggerOptions(options: LogOptions): NonNullable<Exclude<FastifyServerOptions["logger"], boolean>> {
  return {
    level: options.level ?? "info",
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    serializers: {
      req: (req: { method?: string; url?: string }) => ({ method: req.method, path: (req.url ?? "").split("?")[0] }),
      res: (res: { statusCode?: number }) => ({ status: res.statusCode }),
    },
    ...(options.destination === undefined ? {} : { stream: options.destination }),
  };
}

/**
 * Whether `log` writes lines of `level`: pino's isLevelEnabled when the logger has it (a logger
 * without it, e.g. a test's own, is taken to write every level).
 */
export function logsAt(log: FastifyBaseLogger, level: "error" | "info" | "debug"): boolean {
  const check = (log as { isLevelEnabled?: unknown }).isLevelEnabled;
  return typeof check === "function" ? (check as (l: string) => boolean).call(log, level) : true;
}

/**
 * The per-request access log line (fastify's own request logging is disabled). With `off` (the
 * app has no logger) nothing is installed, and a line whose level is off is not built.
 */
export function installAccessLog(app: FastifyInstance, off = false): void {
  if (off) return;
  app.addHook("onResponse", (request, reply, done) => {
    const status = reply.statusCode;
    const level = status >= 500 && status !== 501 ? "error" : "info";
    if (!logsAt(request.log, level)) return done();
    // request_id and correlation_id are bound to request.log (see request-context.ts).
    const line = {
      method: request.method,
      path: pathOf(request.url),
      route: request.routeOptions.url ?? null,
      status,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      ip: request.ip,
    };
    if (level === "error") request.log.error(line, "request");
    else request.log.info(line, "request");
    done();
  });
}
