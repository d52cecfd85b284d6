/**
 * Shared set-up of the group tests (test/contracts/groups/*.test.ts): a fresh diamond with one
 * managed account, group and usage-key creation, and the group contents as plain values.
 * Rules: docs/contracts.md "Who may write" / "Groups and actions";
 * choices: docs/contract-behaviour.md "Who may write" / "Groups".
 */
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import {
  createManagedAccount,
  groupIdFrom,
  hashText,
  newApiKey,
  usageKeyArgs,
  type UsageKeyArgs,
} from "../../fixtures/support";

export const ZERO = ethers.ZeroAddress;
export const cidOf = (label: string) => hashText(`Qm-groups-${label}`);
export const cids = (n: number, label = "c") => Array.from({ length: n }, (_, i) => cidOf(`${label}${i}`));

/** A fresh diamond with one managed account; `api` is the diamond connected as the api payer. */
export async function setup() {
  const f = await loadFixture(deployDiamond);
  const master = await createManagedAccount(f, "alice");
  const api = f.diamond.connect(f.payer);
  return { f, api, master };
}

export async function addGroup(
  f: DiamondFixture,
  hash: bigint,
  cidHashes: bigint[] = [],
  pkpIds: string[] = [],
  name = "group",
  description = "",
): Promise<bigint> {
  return groupIdFrom(f, f.diamond.connect(f.payer).addGroup(hash, name, description, cidHashes, pkpIds));
}

export async function addUsageKey(f: DiamondFixture, master: bigint, args: UsageKeyArgs): Promise<bigint> {
  const { hash } = newApiKey("usage");
  await f.diamond.connect(f.payer).setUsageApiKey(master, hash, ...usageKeyArgs(args));
  return hash;
}

export async function contents(f: DiamondFixture, master: bigint, groupId: bigint) {
  const c = await f.diamond.listGroupContents(master, groupId);
  return { cids: [...c.cidHash], pkps: [...c.pkpId], name: c.metadata.name, description: c.metadata.description };
}
