/**
 * POST /lit_action (http-api.md §5): resolve the code (inline, or by CID from the content store,
 * verified), check the caller may run it (the contract's canExecuteAction, decided from the index),
 * run it in the sandbox with the Lit.Actions API, record its usage for billing, and shape the reply.
 *
 * Request-level problems (no code, CID mismatch, code or js_params over their limits) are 400;
 * unknown CID 404; not permitted 403. Everything that happens inside the action (a throw, the
 * timeout, the memory limit, any other limit) is a 200 with has_error and the logs so far.
 */
import type { BillingService } from "./billing";
import { createCipheriv, createDecipheriv, randomBytes } from "crypto";
import { SigningKey, computeAddress } from "ethers";
import { cidTextHash, litActionCid, litActionPrivateKey, pkpAddress, pkpAesKey, pkpPrivateKey } from "../../core";
import { type ContentStore, GatewayCodeStore, MemoryCodeStore } from "../lit-runtime/code-store";
import { type FetchRequest, type FetchResult, guardedFetch } from "../lit-runtime/fetch-guard";
import { type ActionLimits, LIMIT_NAMES, effectiveLimits } from "../lit-runtime/limits";
import {
  type HostFetchOptions,
  type KeyOperation,
  prepareSandbox,
  runInSandbox,
  type SandboxHost,
  type SandboxResult,
} from "../lit-runtime/sandbox";
import { MemoryUsageRecorder, type UsageRecorder } from "../lit-runtime/usage";
import { CodeQuotaExceededError, type IndexReader } from "../ports";
import { serializeSignature, signDigestWithKey } from "../util/ecdsa";
import { type Caller, callerCredential } from "./access";
import type { CodeStore } from "./actions";
import { ServiceError, forbidden, invalidValue, notFound } from "./errors";
import { ExecutionGate } from "./execution-gate";
import { ExecutionPermissions } from "./execution-permissions";
import type { NodeInfoService } from "./node-info";
import * as v from "./values";

export interface LitActionInput {
  code?: string;
  ipfsId?: string;
  /** Any JSON value; absent means null. */
  jsParams?: unknown;
  /** Lit.Headers inside the action. */
  requestId: string;
  correlationId?: string;
}

export interface LitActionOutput {
  /** The JSON-parsed response when it parses, else the string; the error text when hasError. */
  response: unknown;
  logs: string;
  hasError: boolean;
}

export interface LitActionServiceDeps {
  index: IndexReader;
  rootSecret: Uint8Array;
  /** Unix seconds, for usage-key expiration. */
  now: () => number;
  codeStore: ContentStore;
  usage: UsageRecorder;
  /** The effective limits for the next execution. */
  limits: () => Promise<ActionLimits>;
  /** Allow-list of the fetch SSRF guard. */
  fetchAllowList: readonly string[];
  /** Executions running at once; further ones wait. */
  maxConcurrency: number;
  /** Executions of one account running at once (default: half of maxConcurrency, at least 1). */
  maxConcurrencyPerAccount?: number;
  /** Executions of one account waiting for a slot beyond those; more are refused (429). Default 64. */
  maxQueuedPerAccount?: number;
  /** Charges executions (absent: free). */
  billing?: BillingService;
}

const ADDRESS_RE = /^(0x)?[0-9a-fA-F]{40}$/;
const HEX_RE = /^(0x)?([0-9a-fA-F]{2})*$/;
const DIGEST_RE = /^(0x)?[0-9a-fA-F]{64}$/;
const WALLET_DENIED = "API key cannot use selected wallet in selected action";

/** Runtime settings (RelayerConfig.litActions has the same shape) plus the stores. */
export interface LitActionRuntimeOptions {
  /** Local limits; unset ones come from the on-chain node configuration, then the defaults. */
  limits?: Partial<ActionLimits>;
  fetchAllowList?: readonly string[];
  ipfsGatewayUrl?: string | null;
  maxConcurrency?: number;
  maxConcurrencyPerAccount?: number;
  maxQueuedPerAccount?: number;
  /** Code by CID (default: in memory, or `codeStore` of the services when it can read). */
  contentStore?: ContentStore;
  /** Where execution usage goes (default: in memory). */
  usage?: UsageRecorder;
  /** Charges executions per started second (default: free). */
  billing?: BillingService;
}

function isContentStore(store: CodeStore | undefined): store is ContentStore {
  return store !== undefined && typeof (store as Partial<ContentStore>).get === "function";
}

/** The LitActionService of createServices: stores, limits (chain values cached for 2 s), options. */
export function litActionServiceFor(deps: {
  index: IndexReader;
  rootSecret: Uint8Array;
  now: () => number;
  nodeInfo: NodeInfoService;
  codeStore?: CodeStore;
  options?: LitActionRuntimeOptions;
}): LitActionService {
  const o = deps.options ?? {};
  let content: ContentStore = o.contentStore ?? (isContentStore(deps.codeStore) ? deps.codeStore : new MemoryCodeStore());
  if (o.ipfsGatewayUrl) {
    content = new GatewayCodeStore(content, o.ipfsGatewayUrl, { timeoutMs: 30_000, maxBytes: 16 * 1024 * 1024 });
  }
  // A put-only code store given to the services also receives every submission.
  const extra = deps.codeStore !== undefined && deps.codeStore !== content ? deps.codeStore : undefined;
  const store: ContentStore =
    extra === undefined
      ? content
      : {
          get: (cid) => content.get(cid),
          put: async (cid, code, owner) => {
            await content.put(cid, code, owner);
            await extra.put(cid, code, owner);
          },
        };
  const local = o.limits ?? {};
  let cached: { at: number; limits: ActionLimits } | undefined;
  const limits = async (): Promise<ActionLimits> => {
    if (cached !== undefined && Date.now() - cached.at < 2000) return cached.limits;
    let chain = null;
    try {
      chain = await deps.nodeInfo.litActionClientConfig();
    } catch {
      chain = null; // node configuration unreadable: local settings and defaults
    }
    cached = { at: Date.now(), limits: effectiveLimits(local, chain) };
    return cached.limits;
  };
  return new LitActionService({
    index: deps.index,
    rootSecret: deps.rootSecret,
    now: deps.now,
    codeStore: store,
    usage: o.usage ?? new MemoryUsageRecorder(),
    limits,
    fetchAllowList: o.fetchAllowList ?? [],
    maxConcurrency: o.maxConcurrency ?? 8,
    maxConcurrencyPerAccount: o.maxConcurrencyPerAccount,
    maxQueuedPerAccount: o.maxQueuedPerAccount,
    billing: o.billing,
  });
}

export class LitActionService {
  readonly permissions: ExecutionPermissions;
  private readonly gate: ExecutionGate;
  private readonly cidCache = new Map<string, string>();
  /** "<account>:<cid>" already kept for good by this process (skips a write per execution). */
  private readonly stored = new Set<string>();

  /** Where submitted code is kept (get_lit_action_ipfs_id fills it too). */
  get codeStore(): ContentStore {
    return this.deps.codeStore;
  }

  constructor(private readonly deps: LitActionServiceDeps) {
    this.permissions = new ExecutionPermissions(deps.index, { now: deps.now });
    const total = Math.max(1, deps.maxConcurrency);
    this.gate = new ExecutionGate({
      total,
      perAccount: Math.max(1, deps.maxConcurrencyPerAccount ?? Math.floor(total / 2)),
      queuedPerAccount: Math.max(0, deps.maxQueuedPerAccount ?? 64),
    });
  }

  async execute(caller: Caller, input: LitActionInput): Promise<LitActionOutput> {
    const limits = await this.deps.limits();
    const { cid, code, fromStore } = await this.resolveCode(input, limits);
    const paramsJson = input.jsParams === undefined ? "null" : JSON.stringify(input.jsParams);
    if (Buffer.byteLength(paramsJson, "utf8") > limits.maxParamsBytes) {
      throw invalidValue(
        "js_params",
        `JSON longer than ${LIMIT_NAMES.maxParamsBytes} = ${limits.maxParamsBytes} bytes`,
      );
    }
    const cidHash = cidTextHash(cid);
    // Decided from the credential rows authorize read for this request (one read of them per
    // request), unless the code came from the content store: that read (or an IPFS gateway's, up
    // to 30 s) may have outlasted a change to the key, so the rows are read again.
    const credential = fromStore ? undefined : callerCredential(caller);
    if (!(await this.permissions.canExecuteAction(caller.hash, cidHash, credential))) {
      throw forbidden("NotAllowedToExecuteAction", `this API key may not run the action ${cid}`);
    }
    if (input.code !== undefined && !this.stored.has(`${caller.master}:${cid}`)) {
      if (await this.keepCode(caller.master, cid, code)) {
        if (this.stored.size >= 10_000) this.stored.clear();
        this.stored.add(`${caller.master}:${cid}`);
      }
    }

    // The runtime is up before anything is charged (its start-up is nobody's run time), and
    // prepares isolates with this node's memory limit.
    try {
      await prepareSandbox(limits.memoryLimitMb);
    } catch (e) {
      throw new ServiceError("Unavailable", "RuntimeUnavailable", `the Lit Action runtime cannot start: ${(e as Error).message}`, 5);
    }
    // Admitted first (429 when the account has too many executions running or waiting, not
    // charged), then charged before the run (402 when the balance cannot pay for the first
    // second), per started second.
    const ticket = this.gate.admit(caller.master);
    let meter: Awaited<ReturnType<BillingService["meterExecution"]>> | undefined;
    try {
      meter = await this.deps.billing?.meterExecution(caller.master, input.requestId);
    } catch (e) {
      ticket.release();
      throw e;
    }
    const startedAtMs = Date.now();
    let result: SandboxResult;
    try {
      await ticket.start();
      meter?.begin(); // seconds are counted from the start of the run, not the wait for a slot
      result = await runInSandbox({
        code,
        paramsJson,
        headers: {
          "x-request-id": input.requestId,
          ...(input.correlationId === undefined ? {} : { "x-correlation-id": input.correlationId }),
        },
        limits,
        host: this.host(caller, cid, cidHash, limits),
        signal: meter?.signal,
      });
    } catch (e) {
      await meter?.finish(Date.now() - startedAtMs).catch(() => undefined);
      throw e;
    } finally {
      ticket.release();
    }
    // The duration runs until every host operation the run caused has settled (host time is billed).
    await meter?.finish(result.durationMs).catch(() => undefined);
    try {
      await this.deps.usage.record({
        account: caller.master,
        apiKeyHash: caller.hash,
        cid,
        startedAtMs,
        durationMs: result.durationMs,
        hasError: result.error !== null,
      });
    } catch (e) {
      throw new ServiceError("Unavailable", "DatabaseUnavailable", `cannot record usage: ${(e as Error).message}`, 5);
    }
    if (result.error !== null) return { response: result.error, logs: result.logs, hasError: true };
    return { response: parseResponse(result.response ?? ""), logs: result.logs, hasError: false };
  }

  /**
   * Keeps inline code for the caller's account so it can be run by CID later (true); beyond the
   * account's code quota the code only goes into the store's expiring cache (false). The run itself
   * is never refused for that: get_lit_action_ipfs_id with a key reports the quota.
   */
  private async keepCode(account: string, cid: string, code: string): Promise<boolean> {
    try {
      await this.deps.codeStore.put(cid, code, account);
      return true;
    } catch (e) {
      if (!(e instanceof CodeQuotaExceededError)) throw e;
      await this.deps.codeStore.put(cid, code);
      return false; // cached only: put it again next time
    }
  }

  /** Resolves when every execution's usage is stored (call before shutdown). */
  async flushUsage(): Promise<void> {
    await this.deps.usage.flush?.();
  }

  /** The CID and code of a request (400 / 404 as http-api.md §5 says). */
  private async resolveCode(
    input: LitActionInput,
    limits: ActionLimits,
  ): Promise<{ cid: string; code: string; fromStore: boolean }> {
    const tooLong = () =>
      invalidValue("code", `longer than ${LIMIT_NAMES.maxCodeLength} = ${limits.maxCodeLength} bytes`);
    const requested = input.ipfsId === undefined || input.ipfsId === "" ? undefined : v.rawCid("ipfs_id", input.ipfsId).cid;
    if (input.code !== undefined) {
      if (Buffer.byteLength(input.code, "utf8") > limits.maxCodeLength) throw tooLong();
      const cid = await this.cidOf(input.code);
      if (requested !== undefined && requested !== cid)
        throw invalidValue("ipfs_id", `does not match the code, whose CID is ${cid}`);
      return { cid, code: input.code, fromStore: false };
    }
    if (requested === undefined) throw invalidValue("code", "send the action's code or its ipfs_id");
    const code = await this.deps.codeStore.get(requested);
    if (code === null)
      throw notFound(
        "ActionCodeNotFound",
        `no code is known for ${requested}: submit it once (lit_action with code, or get_lit_action_ipfs_id)`,
      );
    if (Buffer.byteLength(code, "utf8") > limits.maxCodeLength) throw tooLong();
    return { cid: requested, code, fromStore: true };
  }

  private async cidOf(code: string): Promise<string> {
    const hit = this.cidCache.get(code);
    if (hit !== undefined) return hit;
    const cid = await litActionCid(code);
    if (code.length <= 64 * 1024) {
      if (this.cidCache.size >= 1000) this.cidCache.delete(this.cidCache.keys().next().value as string);
      this.cidCache.set(code, cid);
    }
    return cid;
  }

  /** The host side of Lit.Actions for one execution. */
  private host(caller: Caller, cid: string, cidHash: string, limits: ActionLimits): SandboxHost {
    const root = this.deps.rootSecret;
    const wallet = async (pkpIdValue: unknown): Promise<{ master: string; derivation: string; pkp: string }> => {
      if (typeof pkpIdValue !== "string" || !ADDRESS_RE.test(pkpIdValue))
        throw new Error("pkpId: expected a wallet address (0x + 40 hex)");
      const pkp = `0x${pkpIdValue.replace(/^0x/i, "").toLowerCase()}`;
      if (!(await this.permissions.canUseWalletInAction(caller.hash, cidHash, pkp))) throw new Error(WALLET_DENIED);
      const row = await this.deps.index.wallet(pkp);
      if (row === null || row.account !== caller.master) throw new Error(WALLET_DENIED);
      if (pkpAddress(root, row.account, row.derivation) !== pkp)
        throw new Error(`wallet ${pkp} is not a key of this server (its derivation does not produce it)`);
      return { master: row.account, derivation: row.derivation, pkp };
    };
    const actionCid = (value: unknown): string => {
      if (typeof value !== "string") throw new Error("ipfsId: expected an IPFS CID (Qm...)");
      try {
        return v.rawCid("ipfsId", value).cid;
      } catch (e) {
        throw new Error(e instanceof Error ? e.message : String(e));
      }
    };
    const ops: Record<KeyOperation, (args: Record<string, unknown>) => Promise<string>> = {
      getPrivateKey: async (a) => {
        const w = await wallet(a.pkpId);
        return pkpPrivateKey(root, w.master, w.derivation);
      },
      Encrypt: async (a) => {
        const w = await wallet(a.pkpId);
        if (typeof a.message !== "string") throw new Error("message: expected a string");
        const nonce = randomBytes(12);
        const cipher = createCipheriv("aes-256-gcm", pkpAesKey(root, w.master, w.derivation), nonce);
        const body = Buffer.concat([cipher.update(a.message, "utf8"), cipher.final()]);
        return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString("hex");
      },
      Decrypt: async (a) => {
        const w = await wallet(a.pkpId);
        if (typeof a.ciphertext !== "string" || !HEX_RE.test(a.ciphertext))
          throw new Error("ciphertext: expected hex (0x optional)");
        const bytes = Buffer.from(a.ciphertext.replace(/^0x/i, ""), "hex");
        if (bytes.length < 28) throw new Error("ciphertext: shorter than 28 bytes (nonce 12 + tag 16)");
        const decipher = createDecipheriv("aes-256-gcm", pkpAesKey(root, w.master, w.derivation), bytes.subarray(0, 12));
        decipher.setAuthTag(bytes.subarray(bytes.length - 16));
        try {
          return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString("utf8");
        } catch {
          throw new Error("ciphertext: decryption failed (wrong wallet or tampered data)");
        }
      },
      signEcdsa: async (a) => {
        const w = await wallet(a.pkpId);
        if (typeof a.toSign !== "string" || !DIGEST_RE.test(a.toSign))
          throw new Error("toSign: expected 32 bytes (0x + 64 hex, or an array of 32 bytes)");
        const digest = Buffer.from(a.toSign.replace(/^0x/i, ""), "hex");
        return serializeSignature(signDigestWithKey(pkpPrivateKey(root, w.master, w.derivation), digest));
      },
      getLitActionPrivateKey: async () => litActionPrivateKey(root, cid),
      getLitActionPublicKey: async (a) => new SigningKey(litActionPrivateKey(root, actionCid(a.ipfsId))).compressedPublicKey,
      getLitActionWalletAddress: async (a) => computeAddress(litActionPrivateKey(root, actionCid(a.ipfsId))).toLowerCase(),
    };
    const allowList = this.deps.fetchAllowList;
    return {
      keyOperation: (op, args) => ops[op](args),
      fetch: (request: FetchRequest, o: HostFetchOptions): Promise<FetchResult> =>
        guardedFetch(request, {
          allowList,
          timeoutMs: o.timeoutMs,
          maxBytes: limits.maxFetchResponseBytes,
          signal: o.signal,
          bytes: o.bytes,
        }),
    };
  }
}

/** The HTTP `response`: the JSON value when the stored string parses as JSON, else the string. */
export function parseResponse(stored: string): unknown {
  try {
    return JSON.parse(stored) as unknown;
  } catch {
    return stored;
  }
}
