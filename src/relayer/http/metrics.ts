/**
 * Prometheus metrics: request counts and latency by route pattern, method and status. The registry
 * is shared: pass one in (or read it with metricsRegistryOf) to add backend gauges such as outbox
 * depth, payer balances and nonce gaps; GET /metrics serves everything registered in it.
 */
import type {} from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
import { Counter, Histogram, Registry } from "prom-client";

const registries = new WeakMap<FastifyInstance, Registry>();

/** The registry behind an app's /metrics. */
export function metricsRegistryOf(app: FastifyInstance): Registry {
  const registry = registries.get(app);
  if (registry === undefined) throw new Error("not an app built by buildApp");
  return registry;
}

function counter(registry: Registry): Counter<"route" | "method" | "status"> {
  const name = "relayer_http_requests_total";
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing as Counter<"route" | "method" | "status">;
  return new Counter({
    name,
    help: "HTTP requests by route, method and status",
    labelNames: ["route", "method", "status"],
    registers: [registry],
  });
}

function histogram(registry: Registry): Histogram<"route" | "method" | "status"> {
  const name = "relayer_http_request_duration_seconds";
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Histogram) return existing as Histogram<"route" | "method" | "status">;
  return new Histogram({
    name,
    help: "HTTP request latency by route, method and status",
    labelNames: ["route", "method", "status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
}

export function installMetrics(app: FastifyInstance, registry: Registry): void {
  registries.set(app, registry);
  const requests = counter(registry);
  const duration = histogram(registry);
  app.addHook("onResponse", (request, reply, done) => {
    // The route pattern, never the raw URL: unknown paths share one label.
    const route = request.routeOptions.url ?? "unmatched";
    const labels = {
      route: reply.statusCode === 404 && request.is404 ? "unmatched" : route,
      method: request.method,
      status: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
  app.get(
    "/metrics",
    { schema: { tags: ["operations"], summary: "Prometheus metrics (text exposition format)" } },
    async (_request, reply) => {
      const body = await registry.metrics();
      return reply.type(registry.contentType).send(body);
    },
  );
}
