/**
 * Actions (IPFS CIDs) of an account: add (raw CID, hashed here), delete and rename (hashed CID),
 * list (all, or one group's list), and the CID of Lit Action code (http-api.md §7).
 */
import { litActionCid } from "../../core";
import type { ActionRow, IndexReader } from "../ports";
import { type Caller, requireGroup, requireMasterWrite } from "./access";
import { notFound } from "./errors";
import type { Submitter, WriteOptions } from "./submit";
import * as v from "./values";

/** Where code submitted for hashing is kept so that lit_action can later run it by CID. */
export interface CodeStore {
  put(cid: string, code: string): Promise<void>;
}

export class ActionService {
  constructor(private readonly deps: { index: IndexReader; submitter: Submitter; codeStore?: CodeStore }) {}

  async add(
    caller: Caller,
    actionIpfsCid: string,
    name: string,
    description: string,
    options: WriteOptions,
  ): Promise<void> {
    const { hash } = v.rawCid("action_ipfs_cid", actionIpfsCid);
    const n = v.name("name", name);
    const d = v.description("description", description);
    requireMasterWrite(caller);
    await this.deps.submitter.billedCall("addAction", [caller.hash, n, d, hash], caller.master, options);
  }

  async remove(caller: Caller, hashedCid: string, options: WriteOptions): Promise<void> {
    const cid = v.hashedCid("hashed_cid", hashedCid);
    requireMasterWrite(caller);
    await this.requireAction(caller, cid);
    await this.deps.submitter.billedCall("removeAction", [caller.hash, cid], caller.master, options);
  }

  async updateMetadata(
    caller: Caller,
    hashedCid: string,
    name: string,
    description: string,
    options: WriteOptions,
  ): Promise<void> {
    const cid = v.hashedCid("hashed_cid", hashedCid);
    const n = v.name("name", name);
    const d = v.description("description", description);
    requireMasterWrite(caller);
    await this.requireAction(caller, cid);
    await this.deps.submitter.billedCall("updateActionMetadata", [caller.hash, cid, "0", n, d], caller.master, options);
  }

  /**
   * The account's actions, or (group id given and non-zero) a group's action list; the wildcard
   * entry 0 of a group is listed with an empty name, as listActionsInGroup returns it.
   */
  async list(
    caller: Caller,
    groupIdValue: number | undefined,
    pageNumber: number,
    pageSize: number,
  ): Promise<ActionRow[]> {
    const page = v.page(pageNumber, pageSize);
    if (groupIdValue === undefined || groupIdValue === 0) return this.deps.index.listActions(caller.master, page);
    const group = await requireGroup(this.deps.index, caller, v.groupId("group_id", groupIdValue));
    const rows: ActionRow[] = [];
    for (const cid of v.slicePage(group.cids, page)) {
      const row = await this.deps.index.action(caller.master, cid);
      rows.push(row ?? { account: caller.master, cid, name: "", description: "" });
    }
    return rows;
  }

  /** The CIDv0 of `code`; the code is kept in the code store when one is configured. */
  async ipfsId(code: string): Promise<string> {
    const cid = await litActionCid(code);
    await this.deps.codeStore?.put(cid, code);
    return cid;
  }

  private async requireAction(caller: Caller, cid: string): Promise<void> {
    if ((await this.deps.index.action(caller.master, cid)) === null) {
      throw notFound("ActionDoesNotExist", `action ${cid} is not registered to this account`);
    }
  }
}
