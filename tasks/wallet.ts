/** wallet:* tasks: wallets (PKPs) registered to accounts with their derivation values. */
import { parseAddress, parseUint } from "../src/core";
import { ACCOUNT_WRITER, PAGE_PARAMS, defineTask, paged, read, readToJson, required, send } from "./lib/cli";
import { keyHashArg } from "./lib/options";
import { ANY_ACCOUNT, metadataParams } from "./lib/params";
import { defineView } from "./lib/simple-tasks";

const ACCOUNT = required("account: API key text or 0x apiKeyHash (master or usage key with createPKPs)");

defineTask({
  name: "wallet:register",
  description: "Register a wallet (PKP) with its derivation value to an account (registerWalletDerivation).",
  signer: ACCOUNT_WRITER,
  params: {
    account: ACCOUNT,
    pkp: required("wallet address (pkpId)"),
    derivation: required("derivation value (decimal or 0x hex, non-zero)"),
    ...metadataParams("wallet"),
  },
  run: async (ctx, a) => {
    const account = keyHashArg(a.account);
    const pkp = parseAddress(a.pkp, "--pkp");
    const derivation = parseUint(a.derivation, "--derivation", "a decimal or 0x-hex derivation value");
    return send(ctx, (d) => d.registerWalletDerivation(account, pkp, derivation, a.name, a.description));
  },
});

defineTask({
  name: "wallet:derivation",
  description: 'The derivation value of a wallet registered to the account (getWalletDerivation); "0" if not registered to it.',
  params: { account: ANY_ACCOUNT, pkp: required("wallet address") },
  run: async (ctx, a) => {
    const account = keyHashArg(a.account);
    const pkp = parseAddress(a.pkp, "--pkp");
    return read(ctx, "getWalletDerivation", (d) => d.getWalletDerivation(account, pkp));
  },
});

defineTask({
  name: "wallet:list",
  description: "List the wallets of an account: [{id (derivation), pkpId, name, description}] (listPkps).",
  params: { account: ANY_ACCOUNT, ...PAGE_PARAMS },
  run: async (ctx, a) => {
    const account = keyHashArg(a.account);
    return readToJson(ctx, "listPkps", await paged(a, (p, s) => ctx.diamond.listPkps(account, p, s)));
  },
});

defineView("wallet:count", "pkpCount", (d) => d.pkpCount(), {
  description: "Number of registered wallets across all accounts (pkpCount).",
});

defineTask({
  name: "wallet:at",
  description: "The index-th registered wallet address (allPkpIdsAt).",
  params: { index: required("zero-based wallet index") },
  run: async (ctx, a) => read(ctx, "allPkpIdsAt", (d) => d.allPkpIdsAt(parseUint(a.index, "--index"))),
});
