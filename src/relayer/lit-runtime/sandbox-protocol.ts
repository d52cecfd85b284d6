/**
 * Messages between the relayer (sandbox-pool.ts) and a sandbox worker (sandbox-worker.ts). Types
 * only. Bodies travel as ArrayBuffers, transferred (not copied) between the threads.
 */
import type { ActionLimits } from "./limit-names";

/** Host operations behind Lit.Actions (key requests). Each returns the value handed to the action. */
export type KeyOperation =
  | "getPrivateKey"
  | "Encrypt"
  | "Decrypt"
  | "getLitActionPrivateKey"
  | "getLitActionPublicKey"
  | "getLitActionWalletAddress"
  | "signEcdsa";

/** A fetch as the action asked for it. */
export interface WireFetchRequest {
  url: string;
  method?: string;
  headers?: [string, string][];
  body?: ArrayBuffer;
}

/** A fetch's response without its body. */
export interface WireFetchMeta {
  url: string;
  status: number;
  statusText: string;
  headers: [string, string][];
  redirected: boolean;
}

// ---- relayer -> worker

/** Start an execution. */
export interface RunMessage {
  type: "run";
  run: number;
  code: string;
  paramsJson: string;
  headers: Record<string, string>;
  limits: ActionLimits;
}

/** Prepare isolates with this memory limit ahead of demand (start-up; later runs refill by themselves). */
export interface WarmMessage {
  type: "warm";
  memoryLimitMb: number;
}

/** Stop an execution (e.g. out of credits); `reason` becomes its error. */
export interface StopMessage {
  type: "stop";
  run: number;
  reason: string;
}

/** The outcome of a host operation the worker asked for. */
export interface SettleMessage {
  type: "settle";
  run: number;
  call: number;
  ok: boolean;
  /** The key operation's value, the fetch's WireFetchMeta as JSON, or the error message. */
  value: string;
  body?: ArrayBuffer;
}

/**
 * End the worker gracefully (sent once it has no run): it prepares no more isolates, waits for the
 * preparations under way, disposes every isolate and closes its port, so its thread exits by
 * itself. Terminating a thread while isolated-vm still works for it can leave the thread stuck in
 * its exit for good (docs/lit-action-runtime.md, "Closing a sandbox worker").
 */
export interface CloseMessage {
  type: "close";
}

export type ToWorker = RunMessage | WarmMessage | StopMessage | SettleMessage | CloseMessage;

// ---- worker -> relayer

export interface KeyRequestMessage {
  type: "key";
  run: number;
  call: number;
  op: KeyOperation;
  args: Record<string, unknown>;
}

export interface FetchMessage {
  type: "fetch";
  run: number;
  call: number;
  request: WireFetchRequest;
  /** The fetch's time budget (the fetch limit, bounded by the execution's remaining time). */
  timeoutMs: number;
}

export interface DoneMessage {
  type: "done";
  run: number;
  response: string | null;
  logs: string;
  error: string | null;
  /** The isolate's used heap when the action ended; null when the run ended by disposing it. */
  heapUsedBytes: number | null;
}

/** The worker is ready (its code caches are compiled). */
export interface ReadyMessage {
  type: "ready";
}

export type FromWorker = KeyRequestMessage | FetchMessage | DoneMessage | ReadyMessage;
