/** GET /health (component booleans from a callback; 503 when any is false) and GET /ready. */
import type {} from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
import { HealthReply, ReadyReply } from "../schemas/node-info";

export type HealthCheck = () => Promise<Readonly<Record<string, boolean>>>;
export type ReadyCheck = () => Promise<boolean>;

export function registerOperationRoutes(
  app: FastifyInstance,
  checks: { health?: HealthCheck; ready?: ReadyCheck },
): void {
  app.get(
    "/health",
    {
      schema: {
        tags: ["operations"],
        summary: "Health of the relayer's components",
        response: { 200: HealthReply, 503: HealthReply },
      },
    },
    async (request, reply) => {
      let components: Record<string, boolean>;
      try {
        components = { http: true, ...(checks.health === undefined ? {} : await checks.health()) };
      } catch (e) {
        request.log.warn({ err: e }, "health check failed");
        components = { http: true, checks: false };
      }
      const ok = Object.values(components).every((v) => v);
      if (!ok) reply.header("retry-after", "5");
      return reply.code(ok ? 200 : 503).send({ status: ok ? "ok" : "unavailable", components });
    },
  );
  app.get(
    "/ready",
    {
      schema: {
        tags: ["operations"],
        summary: "Whether the relayer accepts traffic",
        response: { 200: ReadyReply, 503: ReadyReply },
      },
    },
    async (request, reply) => {
      let ready: boolean;
      try {
        ready = checks.ready === undefined ? true : await checks.ready();
      } catch (e) {
        request.log.warn({ err: e }, "readiness check failed");
        ready = false;
      }
      if (!ready) reply.header("retry-after", "5");
      return reply.code(ready ? 200 : 503).send({ ready });
    },
  );
}
