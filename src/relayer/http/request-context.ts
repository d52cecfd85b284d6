/**
 * Per-request identity: every response carries a fresh UUIDv4 X-Request-Id (a client-sent one is
 * ignored); X-Correlation-Id is echoed verbatim when non-empty. Both go into the request's logger.
 */
import { randomUUID } from "crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

export const newRequestId = (): string => randomUUID();

/** The non-empty X-Correlation-Id of a request, or undefined. */
export function correlationIdOf(request: FastifyRequest): string | undefined {
  const raw = request.headers["x-correlation-id"];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** Sets the id headers on `reply` (also used by handlers that run before the hooks). */
export function applyIdHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.header("x-request-id", request.id);
  const correlation = correlationIdOf(request);
  if (correlation !== undefined) reply.header("x-correlation-id", correlation);
}

export function installRequestContext(app: FastifyInstance): void {
  app.addHook("onRequest", async (request, reply) => {
    applyIdHeaders(request, reply);
    const correlation = correlationIdOf(request);
    if (correlation !== undefined) request.log = request.log.child({ correlation_id: correlation });
  });
}
