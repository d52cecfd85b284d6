/**
 * Groups and their action / wallet lists (GroupsFacet). Permission and existence checks run against
 * the indexed state in the facet's order before anything is sent.
 */
import type { Address, GroupSummary, IndexReader, Uint } from "../ports";
import { type Caller, isFull, requireFlag, requireGroup, requireGroupWrite, requireMasterWrite, requireWrite } from "./access";
import { forbidden, notFound } from "./errors";
import { findEvent, type Submitter, uintArg, type WriteOptions } from "./submit";
import * as v from "./values";

export interface AddGroupInput {
  name: string;
  description: string;
  pkpIdsPermitted: string[];
  cidHashesPermitted: string[];
}

export interface UpdateGroupInput {
  groupId: number;
  name: string;
  description: string;
  pkpIdsPermitted?: string[];
  cidHashesPermitted?: string[];
}

export class GroupService {
  constructor(private readonly deps: { index: IndexReader; submitter: Submitter }) {}

  /** Creates a group; returns its id (decimal) from the receipt's GroupAdded event. */
  async add(caller: Caller, input: AddGroupInput, options: WriteOptions): Promise<{ groupId: Uint }> {
    const name = v.name("group_name", input.name);
    const description = v.description("group_description", input.description);
    const cids = v.hashedCidList("cid_hashes_permitted", input.cidHashesPermitted, v.MAX_GROUP_LIST_INPUT);
    const pkps = v.addressList("pkp_ids_permitted", input.pkpIdsPermitted, v.MAX_GROUP_LIST_INPUT);
    requireFlag(caller, "createGroups");
    await this.requireRegisteredCids(caller, cids);
    await this.requireWallets(caller, pkps);
    const receipt = await this.deps.submitter.billedCall(
      "addGroup",
      [caller.hash, name, description, cids, pkps],
      caller.master,
      options,
    );
    const event = findEvent(receipt, "GroupAdded");
    const groupId = event === undefined ? undefined : uintArg(event, "groupId");
    if (groupId === undefined) throw new Error(`addGroup receipt ${receipt.txHash} has no GroupAdded event`);
    return { groupId };
  }

  /** Replaces name, description and both lists (absent lists = empty). Master only. */
  async update(caller: Caller, input: UpdateGroupInput, options: WriteOptions): Promise<void> {
    const groupId = v.groupId("group_id", input.groupId);
    const name = v.name("name", input.name);
    const description = v.description("description", input.description);
    const cids = v.hashedCidList("cid_hashes_permitted", input.cidHashesPermitted ?? [], v.MAX_GROUP_LIST_INPUT);
    const pkps = v.addressList("pkp_ids_permitted", input.pkpIdsPermitted ?? [], v.MAX_GROUP_LIST_INPUT);
    requireMasterWrite(caller);
    await requireGroup(this.deps.index, caller, groupId);
    await this.requireWallets(caller, pkps);
    await this.deps.submitter.billedCall(
      "updateGroup",
      [caller.hash, groupId, name, description, cids, pkps],
      caller.master,
      options,
    );
  }

  /** removeGroup: the deleteGroups flag is checked before the group's existence, as on-chain. */
  async remove(caller: Caller, groupIdText: string | number, options: WriteOptions): Promise<void> {
    const groupId = v.groupId("group_id", groupIdText);
    requireFlag(caller, "deleteGroups");
    await requireGroup(this.deps.index, caller, groupId);
    await this.deps.submitter.billedCall("removeGroup", [caller.hash, groupId], caller.master, options);
  }

  async list(caller: Caller, pageNumber: number, pageSize: number): Promise<GroupSummary[]> {
    return this.deps.index.listGroups(caller.master, v.page(pageNumber, pageSize));
  }

  /** Adds a raw CID (hashed here) to a group. */
  async addAction(caller: Caller, groupIdValue: number, actionIpfsCid: string, options: WriteOptions): Promise<void> {
    const groupId = v.groupId("group_id", groupIdValue);
    const { hash } = v.rawCid("action_ipfs_cid", actionIpfsCid);
    await requireGroupWrite(this.deps.index, caller, groupId, "manageIPFSIdsInGroups");
    await this.requireRegisteredCids(caller, [hash]);
    await this.deps.submitter.billedCall("addActionToGroup", [caller.hash, groupId, hash], caller.master, options);
  }

  async removeAction(caller: Caller, groupIdValue: number, hashedCid: string, options: WriteOptions): Promise<void> {
    const groupId = v.groupId("group_id", groupIdValue);
    const cid = v.hashedCid("hashed_cid", hashedCid, true);
    await requireGroupWrite(this.deps.index, caller, groupId, "manageIPFSIdsInGroups");
    const [listed] = await this.deps.index.groupMembership([groupId], cid, null);
    if (!listed?.cid) throw notFound("ActionDoesNotExist", `group ${groupId} does not list action ${cid}`);
    await this.deps.submitter.billedCall("removeActionFromGroup", [caller.hash, groupId, cid], caller.master, options);
  }

  async addPkp(caller: Caller, groupIdValue: number, pkpId: string, options: WriteOptions): Promise<void> {
    const groupId = v.groupId("group_id", groupIdValue);
    const pkp = v.address("pkp_id", pkpId);
    await requireGroupWrite(this.deps.index, caller, groupId, "addPkpToGroups");
    await this.requireWallets(caller, [pkp]);
    await this.deps.submitter.billedCall("addPkpToGroup", [caller.hash, groupId, pkp], caller.master, options);
  }

  async removePkp(caller: Caller, groupIdValue: number, pkpId: string, options: WriteOptions): Promise<void> {
    const groupId = v.groupId("group_id", groupIdValue);
    const pkp = v.address("pkp_id", pkpId);
    await requireGroupWrite(this.deps.index, caller, groupId, "removePkpFromGroups");
    const [listed] = await this.deps.index.groupMembership([groupId], null, pkp);
    if (!listed?.wallet) throw notFound("PkpDoesNotExist", `group ${groupId} does not list wallet ${pkp}`);
    await this.deps.submitter.billedCall("removePkpFromGroup", [caller.hash, groupId, pkp], caller.master, options);
  }

  /**
   * LibGroups.addAction: only the master makes code runnable. A usage key may list a cid in a group
   * only when it is registered to the account (or the zero-hash wildcard); the master registers new
   * ones on the way.
   */
  private async requireRegisteredCids(caller: Caller, cids: readonly string[]): Promise<void> {
    if (isFull(caller)) return;
    for (const cid of cids) {
      if (BigInt(cid) === 0n) continue;
      if ((await this.deps.index.action(caller.master, cid)) === null) {
        throw forbidden(
          "NotMasterAccount",
          `action ${cid} is not registered to this account: only the account (master) key may add new code ` +
            "(add_action), a usage key may only list registered actions in a group",
        );
      }
    }
  }

  /** LibGroups.addWallet: every wallet but the zero address must be registered to the account. */
  private async requireWallets(caller: Caller, pkps: readonly Address[]): Promise<void> {
    requireWrite(caller);
    for (const pkp of pkps) {
      if (pkp === v.ZERO_ADDRESS) continue;
      const wallet = await this.deps.index.wallet(pkp);
      if (wallet === null || wallet.account !== caller.master) {
        throw notFound("PkpDoesNotExist", `wallet ${pkp} is not registered to this account`);
      }
    }
  }
}
