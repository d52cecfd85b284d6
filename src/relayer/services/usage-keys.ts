/**
 * Usage API keys: add, update (full overwrite), update metadata, remove, list. All writes are
 * master-only (UsageKeysFacet). Fixes over the hosted service: update is master-only and refuses
 * unknown keys (404) instead of creating them; a usage key lists only its own entry.
 */
import { apiKeyTextHash } from "../../core";
import type { Hash32, IndexReader, Page, Uint, UsageKeyRow } from "../ports";
import { type Caller, requireMasterWrite } from "./access";
import { notFound } from "./errors";
import { freshApiKey } from "./randomness";
import type { Submitter, WriteOptions } from "./submit";
import * as v from "./values";

import type { UsageKeyPermissionsInput } from "../../core/api-types";
export type { UsageKeyPermissionsInput };

interface ValidPermissions {
  name: string;
  description: string;
  expiration: Uint;
  flags: [boolean, boolean, boolean];
  lists: [Uint[], Uint[], Uint[], Uint[]];
}

function validate(input: UsageKeyPermissionsInput): ValidPermissions {
  return {
    name: v.name("name", input.name),
    description: v.description("description", input.description),
    expiration: v.unixSeconds("expiration", input.expiration ?? 0),
    flags: [input.canCreateGroups, input.canDeleteGroups, input.canCreatePkps],
    lists: [
      v.groupIdList("manage_ipfs_ids_in_groups", input.manageIpfsIdsInGroups),
      v.groupIdList("add_pkp_to_groups", input.addPkpToGroups),
      v.groupIdList("remove_pkp_from_groups", input.removePkpFromGroups),
      v.groupIdList("execute_in_groups", input.executeInGroups),
    ],
  };
}

export class UsageKeyService {
  constructor(private readonly deps: { index: IndexReader; submitter: Submitter; rootSecret: Uint8Array }) {}

  /** Creates a usage key; returns the key text (shown once). */
  async add(caller: Caller, input: UsageKeyPermissionsInput, options: WriteOptions): Promise<{ usageApiKey: string }> {
    const p = validate(input);
    requireMasterWrite(caller);
    const usageApiKey = freshApiKey(this.deps.rootSecret, "add_usage_api_key", caller.master, options.idempotencyKey);
    const usageHash = apiKeyTextHash(usageApiKey);
    await this.set(caller, usageHash, p, "0", options);
    return { usageApiKey };
  }

  /** Overwrites every permission of an existing usage key (its balance is kept). */
  async update(
    caller: Caller,
    usageApiKey: string,
    input: UsageKeyPermissionsInput,
    options: WriteOptions,
  ): Promise<void> {
    const usageHash = v.usageKeyRef("usage_api_key", usageApiKey);
    const p = validate(input);
    requireMasterWrite(caller);
    const existing = await this.requireUsageKey(caller, usageHash);
    await this.set(caller, usageHash, p, existing.balance, options);
  }

  async updateMetadata(
    caller: Caller,
    usageApiKey: string,
    name: string,
    description: string,
    options: WriteOptions,
  ): Promise<void> {
    const usageHash = v.usageKeyRef("usage_api_key", usageApiKey);
    const n = v.name("name", name);
    const d = v.description("description", description);
    requireMasterWrite(caller);
    await this.requireUsageKey(caller, usageHash);
    await this.deps.submitter.billedCall("updateUsageApiKeyMetadata", [caller.hash, usageHash, n, d], caller.master, options);
  }

  async remove(caller: Caller, usageApiKey: string, options: WriteOptions): Promise<void> {
    const usageHash = v.usageKeyRef("usage_api_key", usageApiKey);
    requireMasterWrite(caller);
    await this.requireUsageKey(caller, usageHash);
    await this.deps.submitter.billedCall("removeUsageApiKey", [caller.hash, usageHash], caller.master, options);
  }

  /** The account's usage keys (the master is never listed); a usage key sees only itself. */
  async list(caller: Caller, pageNumber: number, pageSize: number): Promise<UsageKeyRow[]> {
    const page: Page = v.page(pageNumber, pageSize);
    if (caller.kind === "UsageKey") return caller.usageKey === null ? [] : v.slicePage([caller.usageKey], page);
    return this.deps.index.listUsageKeys(caller.master, page);
  }

  /**
   * UsageKeysFacet._requireUsageKey: an active usage key of this account, else 404. One index read
   * (the binding with the key's row), as for the caller's own credential.
   */
  private async requireUsageKey(caller: Caller, usageHash: Hash32): Promise<UsageKeyRow> {
    const found = await this.deps.index.credential(usageHash);
    const row = found?.binding.kind === "UsageKey" && found.binding.master === caller.master ? found.usageKey : null;
    if (row === null) throw notFound("UsageApiKeyDoesNotExist", "no such usage API key in this account");
    return row;
  }

  private async set(
    caller: Caller,
    usageHash: Hash32,
    p: ValidPermissions,
    balance: Uint,
    options: WriteOptions,
  ): Promise<void> {
    await this.deps.submitter.billedCall(
      "setUsageApiKey",
      [caller.hash, usageHash, p.expiration, balance, p.name, p.description, ...p.flags, ...p.lists],
      caller.master,
      options,
    );
  }
}
