/**
 * The HTTP app factory: a fastify instance serving /core/v1 (not listening; call `listen` or use
 * `inject`). Routes call services; services call the ports.
 *
 *   const app = await buildApp({ services: createServices({...}), config: loadConfig() });
 *   await app.listen({ host: config.host, port: config.port });
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { Registry } from "prom-client";
import type { RelayerConfig } from "../config";
import type { RelayerServices } from "../services";
import { installCors } from "./cors";
import { type DashboardOptions, registerDashboard } from "./dashboard";
import { API_PREFIX } from "./endpoint";
import { classifyError, installErrorHandling, sendError } from "./errors";
import { installAccessLog, type LogOptions, loggerOptions } from "./logging";
import { installMetrics } from "./metrics";
import { registerOpenApi, registerOpenApiRoutes } from "./openapi";
import { createRateLimits, installRateLimits } from "./rate-limit";
import { applyIdHeaders, installRequestContext, newRequestId } from "./request-context";
import { registerAccountRoutes } from "./routes/accounts";
import { registerActionRoutes } from "./routes/actions";
import { registerBillingRoutes } from "./routes/billing";
import { registerChainSecuredRoutes } from "./routes/chain-secured";
import { registerGroupRoutes } from "./routes/groups";
import { registerLitActionRoutes } from "./routes/lit-action";
import { registerNodeInfoRoutes } from "./routes/node-info";
import { type HealthCheck, type ReadyCheck, registerOperationRoutes } from "./routes/operations";
import { registerUsageKeyRoutes } from "./routes/usage-keys";
import { registerWalletRoutes } from "./routes/wallets";
import { installUtf8BodyParsers } from "./text-input";
import { typeboxValidatorCompiler } from "./validation";
import { installWriteTracing, type WriteTraceSink } from "./write-trace";

/** The settings the HTTP layer uses (a RelayerConfig has them all). */
export type HttpConfig = Pick<
  RelayerConfig,
  "corsOrigins" | "rateLimits" | "bodyLimitBytes" | "trustProxy" | "logLevel"
> & {
  build?: { name: string; version: string };
};

export interface BuildAppOptions {
  services: RelayerServices;
  config: HttpConfig;
  /** A logger instance, log options (level, destination), or false for no logs. Default: JSON to stdout at config.logLevel. */
  logger?: FastifyBaseLogger | LogOptions | false;
  /** Component booleans for GET /health (http: true is always included). */
  health?: HealthCheck;
  /** GET /ready; default always ready. */
  ready?: ReadyCheck;
  /** Registry served by GET /metrics; backends add their gauges to it. Default: a fresh one. */
  metricsRegistry?: Registry;
  /** Clock for the rate limiter, in seconds (tests). */
  now?: () => number;
  /** The dashboard at /dashboard/ (default: DASHBOARD_DIR, else dashboard/dist); false: not served. */
  dashboard?: DashboardOptions | false;
  /** Write tracing (write-trace.ts): each request's stage timing goes here; default off. */
  writeTraces?: WriteTraceSink;
}

/** Endpoints limited by the stricter per-IP minting bucket. */
export const MINTING_PATHS: ReadonlySet<string> = new Set(
  ["/new_account", "/create_wallet_with_signature", "/add_usage_api_key_with_signature"].map(
    (p) => `${API_PREFIX}${p}`,
  ),
);

function isLoggerInstance(l: BuildAppOptions["logger"]): l is FastifyBaseLogger {
  return typeof l === "object" && typeof (l as { child?: unknown }).child === "function";
}

export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config, services } = options;
  const logger = options.logger ?? { level: config.logLevel };
  const app: FastifyInstance = Fastify({
    ...(isLoggerInstance(logger)
      ? { loggerInstance: logger }
      : { logger: logger === false ? false : loggerOptions(logger) }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    genReqId: newRequestId,
    requestIdHeader: false,
    // One access-log line per request is written by installAccessLog instead of fastify's two.
    logController: new LogController({ requestIdLogLabel: "request_id", disableRequestLogging: true }),
    exposeHeadRoutes: false, // GET /create_wallet writes: a HEAD must not
    return503OnClosing: true,
    frameworkErrors: (error, request, reply) => {
      applyIdHeaders(request, reply);
      return sendError(reply, request, classifyError(error));
    },
  });

  app.setValidatorCompiler(typeboxValidatorCompiler);
  installUtf8BodyParsers(app);
  // The generator must be registered before the routes it documents.
  await registerOpenApi(app, {
    title: config.build?.name ?? "accountconfig-relayer",
    version: config.build?.version ?? "0.0.0",
  });
  installErrorHandling(app);
  if (options.writeTraces) installWriteTracing(app, options.writeTraces);
  installRequestContext(app);
  installCors(app, config.corsOrigins);
  installRateLimits(app, createRateLimits(config.rateLimits, options.now), MINTING_PATHS);
  installAccessLog(app, logger === false);
  installMetrics(app, options.metricsRegistry ?? new Registry());

  registerAccountRoutes(app, services);
  registerUsageKeyRoutes(app, services);
  registerWalletRoutes(app, services);
  registerGroupRoutes(app, services);
  registerActionRoutes(app, services);
  registerNodeInfoRoutes(app, services);
  registerLitActionRoutes(app, services);
  registerChainSecuredRoutes(app, services);
  registerBillingRoutes(app, services);
  registerOperationRoutes(app, { health: options.health, ready: options.ready });
  if (options.dashboard !== false) await registerDashboard(app, options.dashboard);
  await registerOpenApiRoutes(app);
  return app;
}

export { metricsRegistryOf } from "./metrics";
