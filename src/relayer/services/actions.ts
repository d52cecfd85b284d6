/**
 * Actions (IPFS CIDs) of an account: add (raw CID, hashed here), delete and rename (hashed CID),
 * list (all, or one group's list), and the CID of Lit Action code (http-api.md §7).
 */
import { litActionCid } from "../../core";
import { type ActionRow, CodeQuotaExceededError, type CodeStore, type IndexReader } from "../ports";
import { type Caller, ownGroupPage, requireMasterWrite } from "./access";
import { ServiceError, notFound } from "./errors";
import type { Submitter, WriteOptions } from "./submit";
import * as v from "./values";

export type { CodeStore };

/** The 409 for code that does not fit in the account's code quota. */
export function codeQuotaExceeded(e: CodeQuotaExceededError): ServiceError {
  return new ServiceError(
    "Conflict",
    "CodeQuotaExceeded",
    `this account's stored Lit Action code would exceed its quota of ${e.quotaBytes} bytes ` +
      `(LIT_ACTION_CODE_QUOTA_BYTES): ${e.usedBytes} bytes are kept and this code has ${e.codeBytes}; ` +
      "send it without an API key to only compute its CID (the code is then cached for a while), or run it with lit_action and its code",
  );
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
    const groupId = v.groupId("group_id", groupIdValue);
    return ownGroupPage(groupId, this.deps.index.listActionsInGroup(caller.master, groupId, page));
  }

  /**
   * The CIDv0 of `code`, which is kept in the code store when one is configured: for the caller's
   * account when a key was sent (409 CodeQuotaExceeded beyond its quota), else at most in the
   * store's bounded, expiring cache.
   */
  async ipfsId(code: string, caller: Caller | null = null): Promise<string> {
    const cid = await litActionCid(code);
    try {
      await this.deps.codeStore?.put(cid, code, caller?.master);
    } catch (e) {
      if (e instanceof CodeQuotaExceededError) throw codeQuotaExceeded(e);
      throw new ServiceError("Unavailable", "DatabaseUnavailable", `cannot keep the code: ${(e as Error).message}`, 5);
    }
    return cid;
  }

  private async requireAction(caller: Caller, cid: string): Promise<void> {
    if ((await this.deps.index.action(caller.master, cid)) === null) {
      throw notFound("ActionDoesNotExist", `action ${cid} is not registered to this account`);
    }
  }
}
