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

type RequestLabels = "route" | "method" | "status";
const REQUEST_LABELS: RequestLabels[] = ["route", "method", "status"];

/** The registry's metric of that name when it is of that class (an app built again on the same registry), else a new one. */
function requestMetric<M, C extends { name: string }>(registry: Registry, kind: new (config: C) => M, config: C): M {
  const existing = registry.getSingleMetric(config.name);
  return existing instanceof kind ? existing : new kind(config);
}

export function installMetrics(app: FastifyInstance, registry: Registry): void {
  registries.set(app, registry);
  const requests = requestMetric(registry, Counter<RequestLabels>, {
    name: "relayer_http_requests_total",
    help: "HTTP requests by route, method and status",
    labelNames: REQUEST_LABELS,
    registers: [registry],
  });
  const duration = requestMetric(registry, Histogram<RequestLabels>, {
    name: "relayer_http_request_duration_seconds",
    help: "HTTP request latency by route, method and status",
    labelNames: REQUEST_LABELS,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
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
