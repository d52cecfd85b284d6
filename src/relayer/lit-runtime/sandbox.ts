/**
 * The Lit Action sandbox (http-api.md §5): `runInSandbox` runs one action and reports its response,
 * logs and error. Each execution gets its own fresh V8 isolate, prepared ahead of demand
 * (prepared-isolates.ts) and disposed after the run (isolate-run.ts), inside a sandbox worker
 * thread (sandbox-worker.ts, sandbox-pool.ts); the relayer's thread only does the key requests and
 * fetches the action asks for (`SandboxHost`), with the run's budgets, and stops them when the run
 * ends (host-run.ts). See docs/lit-action-runtime.md.
 */
import { DEFAULT_ACTION_LIMITS } from "./limits";
import { DEFAULT_WORKERS, SandboxPool } from "./sandbox-pool";
import type { SandboxRequest, SandboxResult } from "./sandbox-types";

export type { KeyOperation } from "./sandbox-protocol";
export type { HostFetchOptions, SandboxHost, SandboxRequest, SandboxResult } from "./sandbox-types";

let pool: SandboxPool | undefined;
const sandboxPool = (): SandboxPool => (pool ??= new SandboxPool(DEFAULT_WORKERS));

/**
 * Starts the sandbox workers and has them prepare isolates with `memoryLimitMb` (the node's
 * effective memory limit) ahead of demand; call at start-up so the first executions are not
 * slower. Resolves when the workers are up, at once when they already are.
 */
export async function prepareSandbox(memoryLimitMb: number = DEFAULT_ACTION_LIMITS.memoryLimitMb): Promise<void> {
  await sandboxPool().prepare(memoryLimitMb);
}

export function runInSandbox(req: SandboxRequest): Promise<SandboxResult> {
  return sandboxPool().run(req);
}

/**
 * Ends the sandbox workers (each once its runs have ended) and resolves when their threads have
 * exited. The workers belong to the process, not to one relayer: the relayer binary calls it on
 * shutdown (main.ts), after relayer.close(). A later run starts new workers.
 */
export async function closeSandbox(): Promise<void> {
  await pool?.close();
}
