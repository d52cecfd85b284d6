/**
 * One helper to declare an endpoint of /core/v1: its schemas (validation and OpenAPI), its
 * authentication, Idempotency-Key handling, and the JSON reply. Routes stay declarative:
 * `endpoint(app, services, { method, path, auth, body, query, response, handle })`.
 *
 * Order for every request: rate limit (onRequest) -> credential (401, preValidation) -> JSON shape
 * (422) -> Idempotency-Key (400) -> service (400 values, 403 permission, 404 state) -> write.
 */
import type { Static, TSchema, TUnknown } from "@sinclair/typebox";
import type {} from "@fastify/swagger"; // schema fields tags, summary, security, hide
import type { FastifyInstance, FastifyRequest, FastifySchema } from "fastify";
import type { Caller, RelayerServices, WriteOptions } from "../services";
import { ServiceError, invalidValue, unauthenticated } from "../services/errors";
import { credentialHash } from "./credentials";
import { credentialsOf } from "./request-context";
import { ErrorBody, WriteHeaders } from "./schemas/common";
import { traceOf } from "./write-trace";

export const API_PREFIX = "/core/v1";

/**
 * none: public; credential: a key must be sent (not necessarily valid); key: a valid key;
 * account: a valid key of the account, or (no key sent) an X-Wallet-Auth header signed by the
 * account's ChainSecured admin (the billing endpoints); optional: public, but a key that is sent
 * must be valid (401 otherwise) and identifies the caller.
 */
export type AuthMode = "none" | "credential" | "key" | "account" | "optional";

export interface EndpointContext<B extends TSchema, Q extends TSchema, A extends AuthMode> {
  body: Static<B>;
  query: Static<Q>;
  caller: A extends "key" ? Caller : A extends "account" | "optional" ? Caller | null : null;
  /** The master hash of the authenticated account ("key" and "account" modes; "optional" when a key was sent). */
  account: A extends "key" | "account" ? string : A extends "optional" ? string | null : null;
  credentialHash: A extends "none" ? null : A extends "optional" ? string | null : string;
  write: WriteOptions;
  clientIp: string;
}

export interface EndpointSpec<B extends TSchema, Q extends TSchema, R extends TSchema, A extends AuthMode> {
  method: "GET" | "POST";
  /** Path under /core/v1, e.g. "/new_account". */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  auth: A;
  body?: B;
  query?: Q;
  response: R;
  /** A write: accepts Idempotency-Key. */
  write?: boolean;
  handle(ctx: EndpointContext<B, Q, A>): Promise<Static<R>>;
}

interface Identity {
  hash: string;
  caller: Caller | null;
  account: string | null;
}
const identities = new WeakMap<FastifyRequest, Identity>();

const IDEMPOTENCY_KEY_RE = /^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/;

/** The request's Idempotency-Key, undefined when absent; 400 when malformed. */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const raw = request.headers["idempotency-key"];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (value === undefined || value === "") return undefined;
  if (!IDEMPOTENCY_KEY_RE.test(value))
    throw invalidValue("Idempotency-Key", "expected 1..255 printable ASCII characters");
  return value;
}

/** Error statuses every endpoint may answer, for the OpenAPI document. */
function errorResponses(auth: AuthMode, hasInput: boolean, write: boolean): Record<number, TSchema> {
  const codes = [429, 500];
  if (hasInput) codes.push(400, 413, 422);
  if (auth !== "none") codes.push(401);
  if (auth === "key" || auth === "account") codes.push(403, 404);
  if (auth === "optional") codes.push(409, 503);
  if (write) codes.push(400, 402, 409, 503);
  return Object.fromEntries([...new Set(codes)].sort().map((c) => [c, ErrorBody]));
}

export function endpoint<
  B extends TSchema = TUnknown,
  Q extends TSchema = TUnknown,
  R extends TSchema = TUnknown,
  A extends AuthMode = AuthMode,
>(app: FastifyInstance, services: RelayerServices, spec: EndpointSpec<B, Q, R, A>): void {
  const hasInput = spec.body !== undefined || spec.query !== undefined;
  const schema: FastifySchema = {
    tags: [spec.tag],
    summary: spec.summary,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    ...(spec.body === undefined ? {} : { body: spec.body }),
    ...(spec.query === undefined ? {} : { querystring: spec.query }),
    ...(spec.write === true ? { headers: WriteHeaders } : {}),
    ...(spec.auth === "none"
      ? {}
      : {
          security: [
            ...(spec.auth === "optional" ? [{}] : []),
            { bearerAuth: [] },
            { apiKeyHeader: [] },
            ...(spec.auth === "account" ? [{ walletAuthHeader: [] }] : []),
          ],
        }),
    response: { 200: spec.response, ...errorResponses(spec.auth, hasInput, spec.write === true) },
  };
  app.route({
    method: spec.method,
    url: `${API_PREFIX}${spec.path}`,
    schema,
    preValidation:
      spec.auth === "none"
        ? undefined
        : async (request) => {
            traceOf(request)?.mark("http");
            const credentials = credentialsOf(request);
            const credential = credentials.credential;
            const walletAuth = credentials.walletAuth;
            if (credential === null && spec.auth === "account" && walletAuth !== null) {
              const wallet = await services.chainSecured.billingAuth(walletAuth);
              identities.set(request, { hash: wallet.master, caller: null, account: wallet.master });
              return;
            }
            if (credential === null && spec.auth === "optional") return; // anonymous
            if (credential === null) {
              throw unauthenticated(
                "MissingApiKey",
                "missing API key: send Authorization: Bearer <key> or X-Api-Key: <key>",
              );
            }
            const hash = credentials.hash ?? credentialHash(credential);
            const caller = spec.auth === "credential" ? null : await services.access.authorize(hash);
            identities.set(request, { hash, caller, account: caller?.master ?? null });
            traceOf(request)?.mark("permission");
          },
    handler: async (request, reply) => {
      const trace = traceOf(request);
      trace?.mark("http");
      const identity = identities.get(request);
      if (spec.auth !== "none" && spec.auth !== "optional" && identity === undefined)
        throw new ServiceError("Unauthenticated", "MissingApiKey", "missing API key");
      const ctx = {
        body: request.body as Static<B>,
        query: request.query as Static<Q>,
        caller: (identity?.caller ?? null) as EndpointContext<B, Q, A>["caller"],
        account: (identity?.account ?? null) as EndpointContext<B, Q, A>["account"],
        credentialHash: (identity?.hash ?? null) as EndpointContext<B, Q, A>["credentialHash"],
        write: spec.write === true ? { idempotencyKey: idempotencyKeyOf(request), ...(trace ? { trace } : {}) } : {},
        clientIp: request.ip,
      };
      const result = await spec.handle(ctx);
      // A bare JSON string must be serialised here: fastify sends string payloads unchanged.
      if (typeof result === "string") return reply.type("application/json; charset=utf-8").send(JSON.stringify(result));
      return reply.send(result);
    },
  });
}
