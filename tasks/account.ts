/** account:* tasks: create, convert and transfer accounts; look them up. */
import { chainSecuredHash, generateApiKey, apiKeyHash, parseAddress, parseKeyOrHash, parseUint, toHash32 } from "../src/core";
import type { ContractTransactionResponse } from "ethers";
import {
  defineTask,
  flag,
  optional,
  read,
  required,
  send,
  type Diamond,
  type DiamondFunction,
  type Json,
  type TaskContext,
} from "./lib/cli";
import { keyHashArg } from "./lib/options";
import { metadataParams } from "./lib/params";
import { defineView } from "./lib/simple-tasks";

const ACCOUNT = required("account: API key text or 0x apiKeyHash (master, usage key or admin alias)");
const HASH_KINDS = ["None", "Master", "UsageKey", "AdminAlias", "RemovedUsageKey"] as const;

/** Sends a write that gives the account a new admin wallet; prints the account, the admin and the admin's alias hash. */
async function sendNewAdmin(
  ctx: TaskContext,
  hash: bigint,
  admin: string,
  call: (d: Diamond) => Promise<ContractTransactionResponse>,
): Promise<Json> {
  const result = await send(ctx, call);
  return { apiKeyHash: toHash32(hash), admin, adminAliasHash: chainSecuredHash(admin), ...result };
}

/** A view of the account named by --account: prints what `fn` returns. */
function defineAccountView(
  name: string,
  fn: DiamondFunction,
  call: (d: Diamond, account: bigint) => Promise<unknown>,
  { description, signer }: { description: string; signer?: string },
): void {
  defineTask({
    name,
    description,
    signer,
    params: { account: ACCOUNT },
    run: async (ctx, a) => read(ctx, fn, (d) => call(d, keyHashArg(a.account))),
  });
}

defineTask({
  name: "account:new",
  description:
    "Create an account (newAccount). Without --api-key a random 32-byte base64 key is generated and printed once (apiKey); apiKeyHash is always printed. Managed unless --unmanaged.",
  signer: "signer 0 (an api payer or the owner for managed accounts)",
  params: {
    apiKey: optional("your own API key text (or a 0x hash); default: generate one"),
    ...metadataParams("account"),
    admin: optional("admin wallet address (default: the signer)"),
    unmanaged: flag("create a ChainSecured (unmanaged) account written only by --admin"),
  },
  run: async (ctx, a) => {
    const generated = a.apiKey === undefined ? generateApiKey() : undefined;
    const hash = apiKeyHash(generated ?? parseKeyOrHash(a.apiKey ?? "", "--api-key"));
    const admin = a.admin === undefined ? ctx.signer.address : parseAddress(a.admin, "--admin");
    const managed = !a.unmanaged;
    const result = await send(ctx, (d) => d.newAccount(hash, managed, a.name, a.description, admin));
    const out: { [k: string]: Json } = {};
    if (generated !== undefined) out.apiKey = generated;
    return { ...out, apiKeyHash: hash, managed, admin, ...result };
  },
});

defineTask({
  name: "account:new-chainsecured",
  description: "Create the signer's own ChainSecured account (newChainSecuredAccount); its hash is keccak256(signer address).",
  signer: "signer 0 (becomes the admin)",
  params: {
    ...metadataParams("account"),
  },
  run: async (ctx, a) => {
    const result = await send(ctx, (d) => d.newChainSecuredAccount(a.name, a.description));
    return { apiKeyHash: chainSecuredHash(ctx.signer.address), admin: ctx.signer.address, ...result };
  },
});

defineTask({
  name: "account:convert",
  description: "Convert a managed account to ChainSecured with a new admin wallet (convertToChainSecuredAccount). One way only.",
  signer: "signer 0 (an api payer or the owner)",
  params: {
    account: required("account: API key text or 0x master apiKeyHash"),
    admin: required("new admin wallet address"),
  },
  run: async (ctx, a) => {
    const hash = keyHashArg(a.account);
    const admin = parseAddress(a.admin, "--admin");
    return sendNewAdmin(ctx, hash, admin, (d) => d.convertToChainSecuredAccount(hash, admin));
  },
});

defineTask({
  name: "account:transfer",
  description: "Transfer a ChainSecured account to a new admin wallet (transferChainSecuredAccountOwnership).",
  signer: "signer 0 (must be the current admin)",
  params: {
    account: ACCOUNT,
    to: required("new admin wallet address"),
  },
  run: async (ctx, a) => {
    const hash = keyHashArg(a.account);
    const to = parseAddress(a.to, "--to");
    return sendNewAdmin(ctx, hash, to, (d) => d.transferChainSecuredAccountOwnership(hash, to));
  },
});

defineAccountView("account:exists", "accountExists", (d, account) => d.accountExists(account), {
  description: "Whether the key or hash resolves to an account, for anyone (accountExists). Prints true or false.",
});

defineAccountView("account:writable", "accountExistsAndIsMutable", (d, account) => d.accountExistsAndIsMutable(account), {
  description:
    "Whether the key or hash resolves to an account that the signer may write (accountExistsAndIsMutable, which answers for its caller: an api payer or the owner for a managed account, the current admin for a ChainSecured one). Prints true or false.",
  signer: "signer 0 (the caller the answer is for)",
});

defineTask({
  name: "account:reclaim-alias",
  description:
    "Take the signer's alias keccak256(signer address) back from a usage key of another account that squats it, and reserve it for the signer (reclaimAddressAlias), so that a conversion or transfer to the signer can follow. Reverts AccountAlreadyExists when the signer owns or owned an account.",
  signer: "signer 0 (the wallet whose alias is reclaimed)",
  params: {},
  run: async (ctx) => {
    const result = await send(ctx, (d) => d.reclaimAddressAlias());
    return { aliasHash: chainSecuredHash(ctx.signer.address), wallet: ctx.signer.address, ...result };
  },
});

defineAccountView("account:get", "getAccount", (d, account) => d.getAccount(account), {
  description: "Snapshot of an account: master hash, mode, admin, name, description and counts (getAccount).",
});

defineTask({
  name: "account:resolve",
  description: "What a key or hash is bound to (resolveApiKeyHash): {apiKeyHash, master, kind} with kind None|Master|UsageKey|AdminAlias|RemovedUsageKey.",
  params: { account: ACCOUNT },
  run: async (ctx, a) => {
    const hash = keyHashArg(a.account);
    const [master, kind] = await ctx.diamond.resolveApiKeyHash(hash);
    return { apiKeyHash: toHash32(hash), master: toHash32(master), kind: HASH_KINDS[Number(kind)] ?? kind.toString() };
  },
});

defineAccountView("account:wallet-address", "getAccountWalletAddress", (d, account) => d.getAccountWalletAddress(account), {
  description: "The admin wallet address of the account (getAccountWalletAddress).",
});

defineView("account:count", "accountCount", (d) => d.accountCount(), {
  description: "Number of accounts (accountCount), as a decimal string.",
});

defineTask({
  name: "account:at",
  description: "The master apiKeyHash of the index-th account (indexToAccountHashAt), as 0x hex.",
  params: { index: required("zero-based account index") },
  run: async (ctx, a) => toHash32(await ctx.diamond.indexToAccountHashAt(parseUint(a.index, "--index"))),
});
