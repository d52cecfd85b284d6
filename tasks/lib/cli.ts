/**
 * Shared option parsing and JSON output for the AccountConfig tasks.
 *
 * Every task gets three common options:
 *   --from <named account | signer index | signer address>   the signer (default: signer 0, "deployer")
 *   --diamond <address>   the diamond (default: the "AccountConfig" deployment of the network)
 *   --pretty              pretty-print the JSON
 *
 * Output is one JSON value on stdout, also returned by `hre.run(task, args)`:
 *   - a write: {...extras, tx, block, gasUsed, events: [{name, args}]}, events decoded with the
 *     diamond interface;
 *   - a read: the decoded result (structs as objects with field names);
 *   - a revert: {error: "<CustomErrorName>", args: {...}} and process.exitCode = 1;
 *   - a bad option value: {error: "InvalidArgument", message} and process.exitCode = 1.
 * Integers are decimal strings, except uint256 values whose ABI name ends in "hash" (apiKeyHash,
 * cidHash, usageApiKeyHash, ...) and action ids, which are `0x` + 64 hex so that they can be passed
 * back to --account / --key / --cid as they are.
 *
 * Only `import type` from typechain-types here: this file loads with hardhat.config.ts.
 */
import { task } from "hardhat/config";
import type { CLIArgumentType, HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse, Interface, ParamType, Result } from "ethers";
import type { IAccountConfig } from "../../typechain-types";
import { ParseError, parseAddress, parseUint, toHash32 } from "../../src/core";

// ---------------------------------------------------------------------------------------------
// JSON values

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface DecodedEvent {
  name: string;
  args: JsonObject;
}

/** What a write task returns (plus task-specific fields such as groupId). */
export interface WriteResult {
  [key: string]: Json;
  tx: string;
  block: number;
  gasUsed: string;
  events: DecodedEvent[] & Json[];
}

export interface ErrorResult {
  [key: string]: Json;
  error: string;
}

/** True for the `{error: ...}` value of a failed task. */
export function isErrorResult(value: unknown): value is ErrorResult {
  return typeof value === "object" && value !== null && typeof (value as { error?: unknown }).error === "string";
}

const HASH_NAME_RE = /hash(es)?$/i;

/** Whether a uint256 of this ABI name is a hash (printed as 0x + 64 hex). */
function isHashName(name: string): boolean {
  return HASH_NAME_RE.test(name) || name === "action";
}

/** Converts an ABI-decoded value to JSON, guided by its ABI type (names, tuples, arrays). */
export function abiToJson(param: ParamType, value: unknown, hashy = false): Json {
  const asHash = hashy || isHashName(param.name);
  if (param.baseType === "array") {
    const child = param.arrayChildren;
    if (!child) return [];
    return Array.from(value as ArrayLike<unknown>, (v) => abiToJson(child, v, asHash));
  }
  if (param.baseType === "tuple") {
    const out: JsonObject = {};
    const items = value as ArrayLike<unknown>;
    (param.components ?? []).forEach((c, i) => {
      out[c.name || String(i)] = abiToJson(c, items[i]);
    });
    return out;
  }
  if (typeof value === "bigint") {
    return asHash && param.baseType.startsWith("uint") ? toHash32(value) : value.toString();
  }
  if (typeof value === "string" || typeof value === "boolean" || typeof value === "number") return value;
  if (value === null || value === undefined) return null;
  return String(value);
}

/** Converts a list of decoded values to an object keyed by the parameter names. */
export function paramsToJson(params: readonly ParamType[], values: ArrayLike<unknown>): JsonObject {
  const out: JsonObject = {};
  params.forEach((p, i) => {
    out[p.name || String(i)] = abiToJson(p, values[i]);
  });
  return out;
}

/** A uint256 as a decimal string. */
export const dec = (v: bigint): string => v.toString();

// ---------------------------------------------------------------------------------------------
// Output

let printer: (text: string) => void = (text) => {
  process.stdout.write(`${text}\n`);
};

/** Replaces the printer (tests capture output with it); returns the previous one. */
export function setPrinter(fn: (text: string) => void): (text: string) => void {
  const previous = printer;
  printer = fn;
  return previous;
}

export function formatJson(value: Json, pretty: boolean): string {
  return pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------
// Errors

/** An option value that cannot be used (printed as {error: "InvalidArgument", message}). */
export class InvalidArgument extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidArgument";
  }
}

/** Any other condition the task reports as {error: code, message} (e.g. NoDeployment). */
export class TaskError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "TaskError";
  }
}

const HEX_DATA_RE = /^0x([0-9a-fA-F]{2})*$/;

/** Finds the revert data carried by an ethers / hardhat error (it nests differently per path). */
export function revertDataOf(error: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof error !== "object" || error === null) return undefined;
  const e = error as Record<string, unknown>;
  if (typeof e.data === "string" && HEX_DATA_RE.test(e.data) && e.data.length >= 10) return e.data;
  for (const key of ["data", "error", "info", "cause", "revert"]) {
    const found = revertDataOf(e[key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

const ERROR_STRING = "0x08c379a0";
const PANIC = "0x4e487b71";

/** Decodes revert data into {error, args} with the diamond's custom errors. */
export function decodeRevert(iface: Interface, data: string): ErrorResult {
  const selector = data.slice(0, 10).toLowerCase();
  try {
    if (selector === ERROR_STRING) {
      const [message] = iface.getAbiCoder().decode(["string"], `0x${data.slice(10)}`);
      return { error: "Error", args: { message: String(message) } };
    }
    if (selector === PANIC) {
      const [code] = iface.getAbiCoder().decode(["uint256"], `0x${data.slice(10)}`);
      return { error: "Panic", args: { code: `0x${(code as bigint).toString(16)}` } };
    }
    const parsed = iface.parseError(data);
    if (parsed) return { error: parsed.name, args: paramsToJson(parsed.fragment.inputs, parsed.args) };
  } catch {
    // fall through: unknown or malformed revert data
  }
  return { error: "UnknownRevert", args: { data } };
}

/** Maps anything a task throws to its JSON error value. */
export function errorToJson(iface: Interface | undefined, error: unknown): ErrorResult {
  if (error instanceof ParseError || error instanceof InvalidArgument) {
    return { error: "InvalidArgument", message: error.message };
  }
  if (error instanceof TaskError) return { error: error.code, message: error.message };
  const data = revertDataOf(error);
  if (data && iface) return decodeRevert(iface, data);
  const e = error as { shortMessage?: unknown; message?: unknown; code?: unknown };
  const message = typeof e.shortMessage === "string" ? e.shortMessage : typeof e.message === "string" ? e.message : String(error);
  if (e.code === "CALL_EXCEPTION") return { error: "Reverted", message: message.split("\n")[0] };
  return { error: "Failed", message: message.split("\n")[0] };
}

// ---------------------------------------------------------------------------------------------
// Task context: signer and diamond

export type Diamond = IAccountConfig;
export type DiamondFunction = Parameters<Diamond["interface"]["getFunction"]>[0];

export interface TaskContext {
  hre: HardhatRuntimeEnvironment;
  signer: HardhatEthersSigner;
  /** The diamond connected to `signer`. */
  diamond: Diamond;
  diamondAddress: string;
  iface: Interface;
}

/** Resolves --from: a named account (hardhat.config.ts namedAccounts), a signer index or an address. */
export async function resolveSigner(hre: HardhatRuntimeEnvironment, from: string | undefined): Promise<HardhatEthersSigner> {
  const signers = await hre.ethers.getSigners();
  const expected = `a named account, a signer index (0-${signers.length - 1}) or a signer address`;
  const text = (from ?? "").trim();
  if (text === "") {
    if (signers.length === 0) throw new InvalidArgument("--from: no signer is configured for this network");
    return signers[0];
  }
  if (/^[0-9]+$/.test(text)) {
    const signer = signers[Number(text)];
    if (!signer) throw new InvalidArgument(`--from: expected ${expected}, got "${text}"`);
    return signer;
  }
  let address: string | undefined;
  if (/^(0[xX])?[0-9a-fA-F]{40}$/.test(text)) {
    address = parseAddress(text, "--from");
  } else {
    const named = await hre.getNamedAccounts();
    const value = named[text];
    if (!value) {
      const names = Object.keys(named).filter((n) => named[n]).join(", ");
      throw new InvalidArgument(`--from: expected ${expected} (named: ${names}), got "${text}"`);
    }
    address = value;
  }
  const signer = signers.find((s) => s.address.toLowerCase() === address.toLowerCase());
  if (!signer) throw new InvalidArgument(`--from: ${address} is not a signer configured for network ${hre.network.name}`);
  return signer;
}

/** The diamond address: --diamond, else the "AccountConfig" deployment (deployed on demand on the in-process network). */
export async function resolveDiamondAddress(hre: HardhatRuntimeEnvironment, diamond: string | undefined): Promise<string> {
  let address: string;
  if (diamond && diamond.trim() !== "") {
    address = parseAddress(diamond, "--diamond");
  } else {
    let deployment = await hre.deployments.getOrNull("AccountConfig");
    if (!deployment && hre.network.name === "hardhat") {
      // The in-process network starts empty on every command: deploy so that tasks work there too.
      await hre.deployments.fixture(["AccountConfig"], { keepExistingDeployments: true });
      deployment = await hre.deployments.getOrNull("AccountConfig");
    }
    if (!deployment) {
      throw new TaskError(
        "NoDeployment",
        `no AccountConfig deployment on network ${hre.network.name}: run "hardhat deploy --network ${hre.network.name}" or pass --diamond`,
      );
    }
    address = deployment.address;
  }
  const code = await hre.ethers.provider.getCode(address);
  if (code === "0x") throw new TaskError("NoDeployment", `no contract at ${address} on network ${hre.network.name}`);
  return address;
}

export async function makeContext(hre: HardhatRuntimeEnvironment, from: string | undefined, diamond: string | undefined): Promise<TaskContext> {
  const signer = await resolveSigner(hre, from);
  const diamondAddress = await resolveDiamondAddress(hre, diamond);
  const contract = (await hre.ethers.getContractAt("IAccountConfig", diamondAddress, signer)) as unknown as Diamond;
  return { hre, signer, diamond: contract, diamondAddress, iface: contract.interface as unknown as Interface };
}

// ---------------------------------------------------------------------------------------------
// Calls

/** Sends a write, waits for the receipt and decodes the diamond's events. */
export async function send(ctx: TaskContext, call: (d: Diamond) => Promise<ContractTransactionResponse>): Promise<WriteResult> {
  const tx = await call(ctx.diamond);
  const receipt = await tx.wait();
  if (!receipt) throw new TaskError("Failed", `transaction ${tx.hash} was not mined`);
  const events: DecodedEvent[] = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== ctx.diamondAddress.toLowerCase()) continue;
    const parsed = ctx.iface.parseLog({ topics: [...log.topics], data: log.data });
    if (!parsed) continue;
    events.push({ name: parsed.name, args: paramsToJson(parsed.fragment.inputs, parsed.args) });
  }
  return { tx: receipt.hash, block: receipt.blockNumber, gasUsed: receipt.gasUsed.toString(), events: events as DecodedEvent[] & Json[] };
}

/** The first decoded event of `name` in a write result (undefined if none). */
export function findEvent(result: WriteResult, name: string): DecodedEvent | undefined {
  return result.events.find((e) => e.name === name);
}

/**
 * Converts the value of a view call to JSON using the function's ABI outputs: a single output is
 * returned as is, several outputs as an object keyed by their names.
 */
export function readToJson(ctx: TaskContext, fn: DiamondFunction, value: unknown): Json {
  const outputs = ctx.iface.getFunction(fn)?.outputs ?? [];
  if (outputs.length === 1) return abiToJson(outputs[0], value);
  return paramsToJson(outputs, value as Result);
}

/** Calls a view and converts its result to JSON. */
export async function read<T>(ctx: TaskContext, fn: DiamondFunction, call: (d: Diamond) => Promise<T>): Promise<Json> {
  return readToJson(ctx, fn, await call(ctx.diamond));
}

// ---------------------------------------------------------------------------------------------
// Task definition

/** Accepts strings, numbers and bigints (from hre.run) and hands the task a string. */
const text: CLIArgumentType<string> = {
  name: "string",
  parse: (_argName: string, strValue: string) => strValue,
  validate: (argName: string, value: unknown) => {
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "bigint") {
      throw new InvalidArgument(`--${argName}: expected a string, got ${typeof value}`);
    }
  },
};

interface ParamBase {
  description: string;
}
export interface RequiredParam extends ParamBase {
  kind: "required";
}
export interface OptionalParam extends ParamBase {
  kind: "optional";
}
export interface DefaultParam extends ParamBase {
  kind: "default";
  default: string;
}
export interface FlagParam extends ParamBase {
  kind: "flag";
}
export type Param = RequiredParam | OptionalParam | DefaultParam | FlagParam;
export type Params = Record<string, Param>;

export const required = (description: string): RequiredParam => ({ kind: "required", description });
export const optional = (description: string): OptionalParam => ({ kind: "optional", description });
export const withDefault = (description: string, value: string): DefaultParam => ({ kind: "default", description, default: value });
export const flag = (description: string): FlagParam => ({ kind: "flag", description });

/** The argument object a task's `run` receives for its params. */
export type ArgsOf<P extends Params> = {
  [K in keyof P]: P[K] extends FlagParam ? boolean : P[K] extends OptionalParam ? string | undefined : string;
};

export interface TaskSpec<P extends Params> {
  name: string;
  /** One line; the signer default is appended. */
  description: string;
  params: P;
  /** Text describing the default signer (default: "signer 0 (deployer)"). */
  signer?: string;
  run: (ctx: TaskContext, args: ArgsOf<P>) => Promise<Json>;
}

/** Default-signer text of the writes that name an account. */
export const ACCOUNT_WRITER =
  "signer 0 (the owner, who may write managed accounts like an api payer; a ChainSecured account needs --from its admin)";

/** Names of every task registered through defineTask, in registration order. */
export const registeredTasks: string[] = [];

export const COMMON_PARAMS = {
  from: optional("signer: named account (deployer, owner, configOperator, ...), signer index or address; default signer 0"),
  diamond: optional("diamond address (default: the AccountConfig deployment)"),
  pretty: flag("pretty-print the JSON output"),
} as const;

/** The values of the common options (--from, --diamond, --pretty). */
export interface CommonArgs {
  from?: string;
  diamond?: string;
  pretty?: boolean;
}

function normalize(value: unknown): string | boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "boolean") return value;
  return String(value);
}

export interface ToolSpec<P extends Params> {
  name: string;
  /** The whole description (nothing is appended). */
  description: string;
  params: P;
  /** Runs with the common options as given; the task resolves the signer and the diamond itself (or not at all). */
  run: (hre: HardhatRuntimeEnvironment, common: CommonArgs, args: ArgsOf<P>) => Promise<Json>;
}

/**
 * Registers a task that takes the common options but builds no TaskContext itself (for tasks that
 * may run without a deployment, e.g. relayer:payers): the JSON value is printed and returned, and
 * failures become {error, ...} with process.exitCode = 1, as with defineTask.
 */
export function defineTool<P extends Params>(spec: ToolSpec<P>): void {
  const t = task(spec.name, spec.description);
  const all: Params = { ...spec.params, ...COMMON_PARAMS };
  for (const [name, p] of Object.entries(all)) {
    if (p.kind === "flag") t.addFlag(name, p.description);
    else if (p.kind === "required") t.addParam(name, p.description, undefined, text);
    else if (p.kind === "default") t.addOptionalParam(name, p.description, p.default, text);
    else t.addOptionalParam(name, p.description, undefined, text);
  }
  registeredTasks.push(spec.name);
  t.setAction(async (rawArgs: Record<string, unknown>, hre: HardhatRuntimeEnvironment) => {
    const common: CommonArgs = {
      from: normalize(rawArgs.from) as string | undefined,
      diamond: normalize(rawArgs.diamond) as string | undefined,
      pretty: rawArgs.pretty === true,
    };
    const args: Record<string, string | boolean | undefined> = {};
    for (const [name, p] of Object.entries(spec.params)) {
      const v = normalize(rawArgs[name]);
      args[name] = p.kind === "flag" ? v === true || v === "true" : (v as string | undefined);
    }
    let result: Json;
    try {
      result = await spec.run(hre, common, args as ArgsOf<P>);
    } catch (error) {
      result = errorToJson(await diamondInterface(hre), error);
      process.exitCode = 1;
    }
    printer(formatJson(result, common.pretty === true));
    return result;
  });
}

/**
 * Registers a task: adds the params and the common options, and wraps `run` so that the JSON
 * value is printed and returned, and failures become {error, ...} with process.exitCode = 1.
 */
export function defineTask<P extends Params>(spec: TaskSpec<P>): void {
  const signerText = spec.signer ?? "signer 0 (deployer)";
  defineTool({
    name: spec.name,
    description: `${spec.description} Signer: --from, default ${signerText}.`,
    params: spec.params,
    run: async (hre, common, args) => spec.run(await makeContext(hre, common.from, common.diamond), args),
  });
}

/** The diamond's interface without a deployment (to decode errors raised before the context exists). */
async function diamondInterface(hre: HardhatRuntimeEnvironment): Promise<Interface | undefined> {
  try {
    const artifact = await hre.artifacts.readArtifact("IAccountConfig");
    return new hre.ethers.Interface(artifact.abi);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Pagination

export const PAGE_PARAMS = {
  page: withDefault("zero-based page number", "0"),
  pageSize: withDefault("entries per page, 1..100", "100"),
  all: flag("fetch every page (ignores --page and --page-size)"),
} as const;

/** Reads one page, or every page with --all (pages of 100 until a short page). */
export async function paged<T>(
  args: { page: string; pageSize: string; all: boolean },
  fetch: (page: bigint, size: bigint) => Promise<T[]>,
): Promise<T[]> {
  if (!args.all) {
    const page = parseUint(args.page, "--page", "a zero-based page number");
    const size = parseUint(args.pageSize, "--page-size", "a page size 1..100");
    if (size < 1n || size > 100n) throw new InvalidArgument(`--page-size: expected a page size 1..100, got "${args.pageSize}"`);
    return fetch(page, size);
  }
  const out: T[] = [];
  for (let page = 0n; ; page++) {
    const items = await fetch(page, 100n);
    out.push(...items);
    if (items.length < 100) return out;
  }
}
