/**
 * Per-request identity: every response carries a fresh UUIDv4 X-Request-Id (a client-sent one is
 * ignored); X-Correlation-Id is echoed verbatim when non-empty. Both go into the request's logger.
 *
 * The request's credentials are read from its headers once (credentialsOf) and shared by the
 * rate limiter and the endpoint's authentication, with the key's digest and apiKeyHash computed
 * at most once each (docs/relayer-latency.md, "CPU per request").
 */
import { randomUUID } from "crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Hash32 } from "../../core";
import { credentialDigest, credentialHashes, credentialOf, walletAuthOf } from "./credentials";

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

/** What a request's headers say about its caller, read once per request. */
export class RequestCredentials {
  /** The API key text (credentials.ts credentialOf), or null when none was sent. */
  readonly credential: string | null;
  /** The X-Wallet-Auth header, or null. */
  readonly walletAuth: string | null;
  private digestValue: string | null = null;
  private hashValue: Hash32 | null = null;

  constructor(request: FastifyRequest) {
    this.credential = credentialOf(request.headers);
    this.walletAuth = walletAuthOf(request.headers);
  }

  /** The credential's SHA-256 digest (credentials.ts credentialDigest); null without a credential. */
  get digest(): string | null {
    if (this.credential === null) return null;
    this.digestValue ??= credentialDigest(this.credential);
    return this.digestValue;
  }

  /** The credential's apiKeyHash (through the bounded cache); null without a credential. */
  get hash(): Hash32 | null {
    const digest = this.digest;
    if (this.credential === null || digest === null) return null;
    this.hashValue ??= credentialHashes.hashOf(this.credential, digest);
    return this.hashValue;
  }
}

const credentials = new WeakMap<FastifyRequest, RequestCredentials>();

/** The request's credentials, read from its headers on the first call. */
export function credentialsOf(request: FastifyRequest): RequestCredentials {
  let found = credentials.get(request);
  if (found === undefined) {
    found = new RequestCredentials(request);
    credentials.set(request, found);
  }
  return found;
}

/** The path of a request's URL, without its query string. */
export function pathOf(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

export function installRequestContext(app: FastifyInstance): void {
  // Callback-style hooks here and in cors.ts, rate-limit.ts, logging.ts and metrics.ts: an async
  // hook costs every request a promise and a microtask turn (docs/relayer-latency.md).
  app.addHook("onRequest", (request, reply, done) => {
    // applyIdHeaders, with the correlation id read once.
    reply.header("x-request-id", request.id);
    const correlation = correlationIdOf(request);
    if (correlation !== undefined) {
      reply.header("x-correlation-id", correlation);
      request.log = request.log.child({ correlation_id: correlation });
    }
    done();
  });
}
