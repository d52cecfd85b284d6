/**
 * Paths reserved for endpoints that other issues implement (billing): each answers 501
 * {error, code: "NotImplemented", request_id}.
 */
import type {} from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
import { API_PREFIX } from "../endpoint";
import { sendError } from "../errors";
import { ErrorBody } from "../schemas/common";

export const RESERVED_ROUTES: readonly { method: "GET" | "POST"; path: string; tag: string }[] = [
  { method: "GET", path: "/billing/stripe_config", tag: "billing" },
  { method: "GET", path: "/billing/balance", tag: "billing" },
  { method: "POST", path: "/billing/create_payment_intent", tag: "billing" },
  { method: "POST", path: "/billing/confirm_payment", tag: "billing" },
];

export function registerReservedRoutes(app: FastifyInstance): void {
  for (const r of RESERVED_ROUTES) {
    app.route({
      method: r.method,
      url: `${API_PREFIX}${r.path}`,
      schema: { tags: [r.tag], summary: "not implemented yet (reserved)", response: { 501: ErrorBody } },
      handler: async (request, reply) =>
        sendError(reply, request, { status: 501, code: "NotImplemented", message: "not implemented yet" }),
    });
  }
}
