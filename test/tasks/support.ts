/** Shared set-up for the task tests: a fresh diamond per test and a quiet hre.run wrapper. */
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { IAccountConfig } from "../../typechain-types";
import { setPrinter, type Json, type JsonObject, type WriteResult } from "../../tasks/lib/cli";

export interface TaskEnv {
  diamond: IAccountConfig;
  address: string;
  signers: HardhatEthersSigner[];
  owner: HardhatEthersSigner;
  configOperator: HardhatEthersSigner;
  pricingOperator: HardhatEthersSigner;
  adminPayer: HardhatEthersSigner;
  /** Api payer (index 4): writes for managed accounts. */
  payer: HardhatEthersSigner;
  /** Unprivileged signers (index 6+): ChainSecured admins. */
  users: HardhatEthersSigner[];
}

/** Deploys (or reverts to) the AccountConfig deployment of hardhat-deploy. */
export async function setup(): Promise<TaskEnv> {
  await hre.deployments.fixture(["AccountConfig"]);
  const address = (await hre.deployments.get("AccountConfig")).address;
  const diamond = (await ethers.getContractAt("IAccountConfig", address)) as unknown as IAccountConfig;
  const signers = await ethers.getSigners();
  const [owner, configOperator, pricingOperator, adminPayer, payer, , ...users] = signers;
  return { diamond, address, signers, owner, configOperator, pricingOperator, adminPayer, payer, users };
}

/** Everything printed by the tasks of the current test (one JSON text per run). */
export const printed: string[] = [];

export interface RunOutcome {
  value: Json;
  exitCode: number;
  printed: string;
}

/** Runs a task with output captured; restores process.exitCode afterwards. */
export async function runTask(name: string, args: Record<string, unknown> = {}): Promise<RunOutcome> {
  const before = process.exitCode;
  process.exitCode = 0;
  let text = "";
  const previous = setPrinter((t) => {
    text += t;
    printed.push(t);
  });
  try {
    const value = (await hre.run(name, args)) as Json;
    return { value, exitCode: Number(process.exitCode ?? 0), printed: text };
  } finally {
    setPrinter(previous);
    process.exitCode = before;
  }
}

/** Runs a task that must succeed; returns its value. */
export async function run<T = Json>(name: string, args: Record<string, unknown> = {}): Promise<T> {
  const out = await runTask(name, args);
  if (out.exitCode !== 0) throw new Error(`${name} failed: ${out.printed}`);
  expect(JSON.parse(out.printed)).to.deep.equal(out.value);
  return out.value as T;
}

/** Runs a write task that must succeed. */
export const write = (name: string, args: Record<string, unknown> = {}): Promise<WriteResult> => run<WriteResult>(name, args);

/** Runs a task that must fail with `error`; returns the error object. */
export async function fails(name: string, args: Record<string, unknown>, error: string): Promise<JsonObject> {
  const out = await runTask(name, args);
  expect(out.exitCode, `${name} exit code (${out.printed})`).to.equal(1);
  const value = out.value as JsonObject;
  expect(value.error, out.printed).to.equal(error);
  expect(JSON.parse(out.printed)).to.deep.equal(value);
  return value;
}

/** The names of the events of a write result. */
export const eventNames = (r: WriteResult): string[] => r.events.map((e) => e.name);

/** uint256 as 0x + 64 hex. */
export const hex32 = (v: bigint): string => `0x${v.toString(16).padStart(64, "0")}`;

/** Signer index of a signer (for --from). */
export function indexOf(env: TaskEnv, s: HardhatEthersSigner): string {
  return String(env.signers.indexOf(s));
}

/** Two valid CIDv0 strings and a CIDv1 for tests. */
export const CID1 = "QmZr5qtNmcxBdpXF7K7hSkLbxK2wUVhMhZn29PKzhynvcR";
export const CID2 = "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH";
export const CID3 = "QmafMza76epQKEHgwNP5sJ7yKcbiFJpddrBzp9A9uTXNgp";
export const CIDV1 = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

/** Creates a managed account with a generated key (through signer 0); returns key and hash. */
export async function newManaged(name = "acct"): Promise<{ key: string; hash: string }> {
  const r = await run<WriteResult & { apiKey: string; apiKeyHash: string }>("account:new", { name });
  return { key: r.apiKey, hash: r.apiKeyHash };
}

/** Registers a fresh random wallet to the account; returns its address. */
let derivation = 5000;
export async function newWallet(account: string, from?: string): Promise<string> {
  const pkp = ethers.Wallet.createRandom().address;
  await run("wallet:register", { account, pkp, derivation: String(++derivation), name: "w", from });
  return pkp;
}
