/**
 * Shared helpers of the group tests (test/contracts/groups/*.test.ts): cid hashes and the group
 * contents as plain values (the account set-up is test/fixtures/support.ts).
 * Rules: docs/contracts.md "Who may write" / "Groups and actions";
 * choices: docs/contract-behaviour.md "Who may write" / "Groups".
 */
import { ethers } from "hardhat";
import type { DiamondFixture } from "../../fixtures/diamond";
import { hashText } from "../../fixtures/support";

export const ZERO = ethers.ZeroAddress;
export const cidOf = (label: string) => hashText(`Qm-groups-${label}`);
export const cids = (n: number, label = "c") => Array.from({ length: n }, (_, i) => cidOf(`${label}${i}`));

/** listGroupContents as plain values. */
export async function contents(f: DiamondFixture, master: bigint, groupId: bigint) {
  const c = await f.diamond.listGroupContents(master, groupId);
  return { cids: [...c.cidHash], pkps: [...c.pkpId], name: c.metadata.name, description: c.metadata.description };
}
