/**
 * POST /core/v1/lit_action: run a Lit Action (http-api.md §5). Declared with app.route rather than
 * endpoint() because the action sees the request and correlation ids (Lit.Headers).
 */
import type {} from "@fastify/swagger";
import type { Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { Caller, RelayerServices } from "../../services";
import { unauthenticated } from "../../services/errors";
import { API_PREFIX } from "../endpoint";
import { correlationIdOf, credentialsOf } from "../request-context";
import { ErrorBody } from "../schemas/common";
import { LitActionBody, LitActionReply } from "../schemas/lit-action";

export function registerLitActionRoutes(app: FastifyInstance, services: RelayerServices): void {
  const litActions = services.litActions;
  app.route({
    method: "POST",
    url: `${API_PREFIX}/lit_action`,
    schema: {
      tags: ["lit actions"],
      summary: "Run a Lit Action (inline code or a known CID) with a master or usage key",
      description:
        "The code defines `async function main(params)`, called with js_params. A throw, the timeout, the memory " +
        "limit or another limit inside the action answers 200 with has_error and the logs so far.",
      body: LitActionBody,
      security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
      response: {
        200: LitActionReply,
        ...Object.fromEntries([400, 401, 403, 404, 413, 422, 429, 500, 503].map((c) => [c, ErrorBody])),
      },
    },
    preValidation: async (request) => {
      // The request's credential, read and hashed once for the rate limiter and here (request-context.ts).
      const hash = credentialsOf(request).hash;
      if (hash === null)
        throw unauthenticated("MissingApiKey", "missing API key: send Authorization: Bearer <key> or X-Api-Key: <key>");
      callers.set(request, await services.access.authorize(hash));
    },
    handler: async (request, reply) => {
      const caller = callers.get(request);
      if (caller === undefined) throw unauthenticated("MissingApiKey", "missing API key");
      const body = request.body as Static<typeof LitActionBody>;
      const out = await litActions.execute(caller, {
        code: body.code,
        ipfsId: body.ipfs_id,
        jsParams: body.js_params,
        requestId: String(request.id),
        correlationId: correlationIdOf(request),
      });
      return reply.send({ response: out.response, logs: out.logs, has_error: out.hasError });
    },
  });
}

const callers = new WeakMap<object, Caller>();
