/**
 * The Lit Action sandbox (http-api.md §5): `runInSandbox` runs one action and reports its response,
 * logs and error. Each execution gets its own V8 isolate (isolate-run.ts) inside a sandbox worker
 * thread (sandbox-worker.ts, sandbox-pool.ts); the relayer's thread only does the key requests and
 * fetches the action asks for (`SandboxHost`), with the run's budgets, and stops them when the run
 * ends (host-run.ts). See docs/lit-action-runtime.md.
 */
import type { FetchRequest, FetchResult } from "./fetch-guard";
import type { ByteBudget } from "./host-run";
import type { ActionLimits } from "./limit-names";
import { DEFAULT_WORKERS, SandboxPool } from "./sandbox-pool";
import type { KeyOperation } from "./sandbox-protocol";

export type { KeyOperation } from "./sandbox-protocol";

/** What the host gives a fetch of an execution. */
export interface HostFetchOptions {
  /** This fetch's time budget (the fetch limit, bounded by the execution's remaining time). */
  timeoutMs: number;
  /** Aborted when the execution ends: the fetch must stop. */
  signal: AbortSignal;
  /** The execution's fetch bytes in flight; the returned body stays taken (the sandbox gives it back). */
  bytes: ByteBudget;
}

export interface SandboxHost {
  /** A key request; rejects with an Error whose message the action sees. */
  keyOperation(op: KeyOperation, args: Record<string, unknown>, signal: AbortSignal): Promise<string>;
  /** A guarded fetch. */
  fetch(request: FetchRequest, options: HostFetchOptions): Promise<FetchResult>;
}

export interface SandboxRequest {
  code: string;
  /** JSON text of js_params ("null" when absent). */
  paramsJson: string;
  /** Lit.Headers. */
  headers: Record<string, string>;
  limits: ActionLimits;
  host: SandboxHost;
  /** Stops the execution when aborted (e.g. out of credits); the reason becomes the error. */
  signal?: AbortSignal;
}

export interface SandboxResult {
  /** The stored response string (setResponse or main's return value); null when none. */
  response: string | null;
  logs: string;
  /** The error text when the action threw or breached a limit; null on success. */
  error: string | null;
  /** From the start of the run until every host operation it caused has settled. */
  durationMs: number;
}

let pool: SandboxPool | undefined;
const sandboxPool = (): SandboxPool => (pool ??= new SandboxPool(DEFAULT_WORKERS));

/**
 * Starts the sandbox workers (call at start-up so the first execution is not slower); resolves
 * when they are up, at once when they already are.
 */
export async function prepareSandbox(): Promise<void> {
  const p = sandboxPool();
  if (!p.ready) await p.prepare();
}

export function runInSandbox(req: SandboxRequest): Promise<SandboxResult> {
  return sandboxPool().run(req);
}
