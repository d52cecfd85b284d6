/**
 * What a Lit Action run is given and gives back (sandbox.ts runs it, sandbox-pool.ts carries it to
 * a worker): the request, the host's services to the run (key requests, guarded fetches) and the
 * result.
 */
import type { FetchRequest, FetchResult } from "./fetch-guard";
import type { ByteBudget } from "./host-run";
import type { ActionLimits } from "./limit-names";
import type { KeyOperation } from "./sandbox-protocol";

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
  /** The isolate's used heap when the action ended; null when the run ended by disposing it. */
  heapUsedBytes: number | null;
}
