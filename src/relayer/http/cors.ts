/**
 * CORS with an origin allow-list ("*" = any origin). Allowed origins may read X-Request-Id and
 * X-Correlation-Id. Preflight (OPTIONS) requests are answered here with 204 for every path; a
 * disallowed origin gets no CORS headers, so the browser blocks it.
 */
import type {} from "@fastify/swagger";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

const ALLOWED_METHODS = "GET, POST, OPTIONS";
const ALLOWED_HEADERS = "Content-Type, Authorization, X-Api-Key, X-Correlation-Id, Idempotency-Key, X-Wallet-Auth";
const EXPOSED_HEADERS = "X-Request-Id, X-Correlation-Id, Retry-After";

export class CorsPolicy {
  private readonly any: boolean;
  private readonly origins: ReadonlySet<string>;

  constructor(origins: readonly string[]) {
    this.any = origins.includes("*");
    this.origins = new Set(origins.filter((o) => o !== "*").map((o) => o.toLowerCase().replace(/\/$/, "")));
  }

  /** The Access-Control-Allow-Origin value for a request's Origin, or null when not allowed. */
  allow(origin: string | undefined): string | null {
    if (origin === undefined || origin === "") return null;
    if (this.any) return "*";
    return this.origins.has(origin.toLowerCase()) ? origin : null;
  }

  apply(request: FastifyRequest, reply: FastifyReply): boolean {
    const allowed = this.allow(request.headers.origin);
    if (!this.any) reply.header("vary", "Origin");
    if (allowed === null) return false;
    reply.header("access-control-allow-origin", allowed);
    reply.header("access-control-expose-headers", EXPOSED_HEADERS);
    return true;
  }
}

export function installCors(app: FastifyInstance, origins: readonly string[]): CorsPolicy {
  const policy = new CorsPolicy(origins);
  app.addHook("onRequest", (request, reply, done) => {
    policy.apply(request, reply);
    done();
  });
  app.options("/*", { schema: { hide: true } }, async (request, reply) => {
    if (policy.allow(request.headers.origin) !== null) {
      reply.header("access-control-allow-methods", ALLOWED_METHODS);
      reply.header("access-control-allow-headers", ALLOWED_HEADERS);
      reply.header("access-control-max-age", "600");
    }
    return reply.code(204).send();
  });
  return policy;
}
