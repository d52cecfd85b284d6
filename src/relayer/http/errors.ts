/**
 * The one error body and status table of http-api.md §2:
 * `{"error": "<human message>", "code": "<MachineName>", "request_id": "<uuid>"}`.
 * Client input never produces a 500; a 500 is a bug and its details stay in the log.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type ErrorKind, ServiceError } from "../services/errors";
import { fromBackendError } from "../services/errors";
import { logsAt } from "./logging";
import { ShapeError } from "./validation";

export interface ErrorReply {
  status: number;
  code: string;
  message: string;
  retryAfterSeconds?: number;
}

export const KIND_STATUS: Readonly<Record<ErrorKind, number>> = {
  InvalidValue: 400,
  Unauthenticated: 401,
  PaymentRequired: 402,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  InvalidShape: 422,
  RateLimited: 429,
  Unavailable: 503,
};

/** Fastify's own client errors (content-type parsing, body limit, URLs) by code. */
const FASTIFY_ERRORS: Record<string, { status: number; code: string; message?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: "BodyTooLarge", message: "request body larger than 10 MiB" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: "UnsupportedMediaType",
    message: "send JSON with Content-Type: application/json",
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: "MalformedJson",
    message: "body is empty but Content-Type is application/json",
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: "MalformedJson", message: "body is not valid JSON" },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: "BadContentLength",
    message: "Content-Length does not match the body",
  },
  FST_ERR_BAD_URL: { status: 400, code: "BadUrl", message: "malformed URL" },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: "UrlTooLong", message: "URL parameter too long" },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, code: "BadRequest" },
};

function isFastifyError(e: unknown): e is FastifyError {
  return e instanceof Error && typeof (e as { code?: unknown }).code === "string";
}

/** Status, code and message for anything a route or hook threw. */
export function classifyError(error: unknown): ErrorReply {
  const e = fromBackendError(error);
  if (e instanceof ServiceError) {
    return { status: KIND_STATUS[e.kind], code: e.code, message: e.message, retryAfterSeconds: e.retryAfterSeconds };
  }
  if (e instanceof ShapeError) return { status: 422, code: "InvalidShape", message: e.message };
  if (isFastifyError(e)) {
    const known = FASTIFY_ERRORS[e.code];
    if (known !== undefined) return { status: known.status, code: known.code, message: known.message ?? e.message };
  }
  if (e instanceof SyntaxError) return { status: 400, code: "MalformedJson", message: "body is not valid JSON" };
  const status = (e as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    // e.g. prototype-poisoned JSON ("__proto__" keys), rejected by the JSON parser.
    return { status: 400, code: "BadRequest", message: (e as Error).message };
  }
  return { status: 500, code: "InternalError", message: "internal error (logged with this request_id)" };
}

export function sendError(reply: FastifyReply, request: FastifyRequest, e: ErrorReply): FastifyReply {
  const retry = e.retryAfterSeconds ?? (e.status === 503 ? 5 : undefined);
  if (retry !== undefined) reply.header("retry-after", String(Math.max(1, Math.ceil(retry))));
  return reply
    .code(e.status)
    .type("application/json; charset=utf-8")
    .send({ error: e.message, code: e.code, request_id: request.id });
}

/** Installs the error handler and the JSON 404. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const e = classifyError(error);
    if (e.status >= 500) request.log.error({ err: error }, "request failed");
    else if (logsAt(request.log, "debug")) request.log.debug({ code: e.code, status: e.status }, e.message);
    return sendError(reply, request, e);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, request, {
      status: 404,
      code: "RouteNotFound",
      message: `no route ${request.method} ${request.url.split("?")[0]}`,
    }),
  );
}
