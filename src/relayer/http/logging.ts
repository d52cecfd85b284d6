/**
 * Structured JSON logs (pino, through fastify). One line per request with method, path (never the
 * query string), route, status, duration, request and correlation ids. API keys, Authorization
 * headers, secrets and signatures are redacted wherever they would appear; request bodies and
 * headers are never logged whole.
 */
import type { FastifyInstance, FastifyServerOptions } from "fastify";
import type { LogLevel } from "../config";

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

/** The per-request access log line (fastify's own request logging is disabled). */
export function installAccessLog(app: FastifyInstance): void {
  app.addHook("onResponse", async (request, reply) => {
    const status = reply.statusCode;
    // request_id and correlation_id are bound to request.log (see request-context.ts).
    const line = {
      method: request.method,
      path: request.url.split("?")[0],
      route: request.routeOptions.url ?? null,
      status,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      ip: request.ip,
    };
    if (status >= 500 && status !== 501) request.log.error(line, "request");
    else request.log.info(line, "request");
  });
}
