/** The relayer's HTTP layer: `buildApp` and what its callers need. */
export { buildApp, MINTING_PATHS, metricsRegistryOf, type BuildAppOptions, type HttpConfig } from "./app";
export { API_PREFIX } from "./endpoint";
export type { HealthCheck, ReadyCheck } from "./routes/operations";
export type { LogDestination, LogOptions } from "./logging";
