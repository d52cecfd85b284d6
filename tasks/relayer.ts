/**
 * relayer:* tasks: the owner's side of running a relayer (docs/operator.md). The relayer sends
 * API-mode writes from its own api payers (keys derived from its root secret, or PAYER_KEYS) and
 * tops them up from its admin payer; the diamond must list them (setApiPayers,
 * setAdminApiPayerAccount) and they must hold ETH, or the relayer refuses writes (503
 * PayersNotRegistered / PayersUnfunded). These tasks read the relayer's settings exactly as the
 * relayer does (DATA_DIR, ROOT_SECRET / ROOT_SECRET_FILE, PAYER_COUNT, PAYER_KEYS,
 * ADMIN_PAYER_KEY), without starting it.
 *
 * Only `import type` from typechain-types here: this file loads with hardhat.config.ts.
 */
import { Interface, formatEther, getAddress, parseEther, type Provider } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { parseAddress, parseAddressList } from "../src/core";
import { ConfigError, loadPayerKeySettings, type Env } from "../src/relayer/config";
import { payerAddressesOf } from "../src/relayer/payer-keys";
import {
  InvalidArgument,
  TaskError,
  defineTool,
  flag,
  makeContext,
  optional,
  send,
  type Json,
  type JsonObject,
  type TaskContext,
} from "./lib/cli";

const SETTINGS_PARAMS = {
  dataDir: optional("the relayer's DATA_DIR (default: $DATA_DIR, else ./data): its root-secret file holds the secret the payer keys derive from"),
  rootSecretFile: optional("the relayer's ROOT_SECRET_FILE (default: $ROOT_SECRET_FILE, else DATA_DIR/root-secret); $ROOT_SECRET, when set, wins as in the relayer"),
  payerCount: optional("the relayer's PAYER_COUNT (default: $PAYER_COUNT, else 2)"),
} as const;

interface SettingsArgs {
  dataDir?: string;
  rootSecretFile?: string;
  payerCount?: string;
}

/** The relayer's environment with the options applied. */
function relayerEnv(a: SettingsArgs): Env {
  const env: Record<string, string | undefined> = { ...process.env };
  if (a.dataDir !== undefined) env.DATA_DIR = a.dataDir;
  if (a.rootSecretFile !== undefined) env.ROOT_SECRET_FILE = a.rootSecretFile;
  if (a.payerCount !== undefined) env.PAYER_COUNT = a.payerCount;
  return env;
}

/** The relayer's payer addresses (checksummed) and where they come from. */
function relayerPayers(a: SettingsArgs, createSecret: boolean): { source: string; payers: string[]; admin: string } {
  try {
    const settings = loadPayerKeySettings(relayerEnv(a), { createRootSecret: createSecret });
    return { source: settings.source, ...payerAddressesOf(settings) };
  } catch (error) {
    if (error instanceof ConfigError) {
      const missing = error.problems.some((p) => /does not exist/.test(p));
      throw new TaskError(
        "RelayerSettings",
        `${error.problems.join("; ")}${missing ? " (create it with: npx hardhat relayer:payers --create-secret, or start the relayer once)" : ""}`,
      );
    }
    throw error;
  }
}

/** --diamond, else the network's AccountConfig deployment; null when there is none (never deploys). */
async function diamondOrNull(hre: HardhatRuntimeEnvironment, diamond: string | undefined): Promise<string | null> {
  if (diamond !== undefined && diamond.trim() !== "") return parseAddress(diamond, "--diamond");
  const deployment = await hre.deployments.getOrNull("AccountConfig");
  return deployment ? getAddress(deployment.address) : null;
}

/** What the diamond says about the payers: registered as the relayer's payer check judges it, and balances. */
async function onChainStatus(
  provider: Provider,
  iface: Interface,
  diamond: string,
  payers: readonly string[],
  admin: string,
): Promise<JsonObject> {
  const call = async (fn: string): Promise<unknown> => {
    const data = await provider.call({ to: diamond, data: iface.encodeFunctionData(fn, []) });
    return iface.decodeFunctionResult(fn, data)[0];
  };
  const apiPayers = Array.from(await call("api_payers") as ArrayLike<string>, (a) => getAddress(a));
  const owner = getAddress(String(await call("owner")));
  const adminApiPayer = getAddress(String(await call("adminApiPayerAccount")));
  const entry = async (address: string, role: "payer" | "admin"): Promise<JsonObject> => ({
    address,
    role,
    registered: role === "admin" ? adminApiPayer === address : apiPayers.includes(address) || owner === address,
    balance: (await provider.getBalance(address)).toString(),
  });
  const list: JsonObject[] = [];
  for (const p of payers) list.push(await entry(p, "payer"));
  list.push(await entry(admin, "admin"));
  return { apiPayers, adminApiPayer, owner, payers: list, registered: list.every((e) => e.registered === true) };
}

async function diamondIface(hre: HardhatRuntimeEnvironment): Promise<Interface> {
  return new Interface((await hre.artifacts.readArtifact("IAccountConfig")).abi);
}

defineTool({
  name: "relayer:payers",
  description:
    "The relayer's api payer and admin payer addresses, from its root secret (or PAYER_KEYS / ADMIN_PAYER_KEY) read as the relayer reads it, without starting it: {source, payers, admin, diamond, onChain}. With a diamond (--diamond or the network's deployment), onChain says whether each is registered (api_payers(), or the owner; adminApiPayerAccount()) and its balance in wei. --create-secret creates the root secret file first (32 random bytes, mode 0600) if there is none. Signer: --from, default signer 0 (none is used: it sends nothing).",
  params: {
    ...SETTINGS_PARAMS,
    createSecret: flag("create the root secret file when it does not exist, as the relayer does on its first start"),
  },
  run: async (hre, common, a) => {
    const { source, payers, admin } = relayerPayers(a, a.createSecret);
    const diamond = await diamondOrNull(hre, common.diamond);
    let onChain: Json = null;
    if (diamond !== null) {
      if ((await hre.ethers.provider.getCode(diamond)) === "0x") {
        throw new TaskError("NoDeployment", `no contract at ${diamond} on network ${hre.network.name}`);
      }
      onChain = await onChainStatus(hre.ethers.provider, await diamondIface(hre), diamond, payers, admin);
    }
    return { source, payers, admin, diamond, onChain };
  },
});

/** ETH text of an option (decimal, at most 18 decimals, > 0). */
function ethOption(value: string, option: string): bigint {
  const text = value.trim();
  if (!/^[0-9]+(\.[0-9]{1,18})?$/.test(text)) throw new InvalidArgument(`${option}: expected an amount of ETH such as 0.05, got "${value}"`);
  const wei = parseEther(text);
  if (wei === 0n) throw new InvalidArgument(`${option}: expected an amount above 0, got "${value}"`);
  return wei;
}

interface PlannedTx {
  description: string;
  to: string;
  value: bigint;
  data: string;
  /** A diamond call (sent through the diamond contract, its events decoded). */
  call?: (ctx: TaskContext) => Promise<JsonObject>;
}

const txJson = (t: PlannedTx): JsonObject => ({ description: t.description, to: t.to, value: t.value.toString(), data: t.data });

defineTool({
  name: "relayer:register-payers",
  description:
    "Register the relayer's payers on the diamond and fund them: adds its api payers to api_payers() (setApiPayers; --replace makes the list exactly these), makes its admin payer the adminApiPayerAccount (setAdminApiPayerAccount), and with --fund / --fund-admin tops each up to that many ETH (sends the difference, nothing when it holds enough). Payers come from the relayer's settings as relayer:payers reads them, or --payers / --admin (then no secret is needed). Only what differs is sent. When the signer is neither the owner nor the config operator (a Safe owner, say) or with --calldata, nothing is sent: it prints the transactions {to, value, data} for the owner to submit. Prints {diamond, payers, admin, submitted, transactions, apiPayers, adminApiPayer, balances}. Signer: --from, default signer 0 (the owner or config operator; pays the funding).",
  params: {
    ...SETTINGS_PARAMS,
    payers: optional("comma list of api payer addresses (default: the relayer's)"),
    admin: optional("admin payer address (default: the relayer's; with --payers and no --admin, the admin payer is left as is)"),
    fund: optional("ETH: top each api payer (and the admin payer, unless --fund-admin) up to this balance"),
    fundAdmin: optional("ETH: top the admin payer up to this balance"),
    replace: flag("make the api payer list exactly these payers (default: add the missing ones to the diamond's list)"),
    calldata: flag("send nothing: print the transactions for the owner (a Safe or another contract wallet) to submit"),
  },
  run: async (hre, common, a): Promise<JsonObject> => {
    // Addresses first: a bad option or a missing secret is reported before any chain access.
    let payers: string[];
    let admin: string | null;
    if (a.payers !== undefined) {
      payers = parseAddressList(a.payers, "--payers");
      if (payers.length === 0) throw new InvalidArgument("--payers: expected at least one address");
      admin = a.admin === undefined ? null : parseAddress(a.admin, "--admin");
    } else {
      const own = relayerPayers(a, false);
      payers = own.payers;
      admin = a.admin === undefined ? own.admin : parseAddress(a.admin, "--admin");
    }
    const fund = a.fund === undefined ? null : ethOption(a.fund, "--fund");
    const fundAdmin = a.fundAdmin === undefined ? fund : ethOption(a.fundAdmin, "--fund-admin");

    const ctx = await makeContext(hre, common.from, common.diamond);
    const d = ctx.diamond;
    const current = (await d.api_payers()).map((x) => getAddress(x));
    const currentAdmin = getAddress(await d.adminApiPayerAccount());
    const owner = getAddress(await d.owner());
    const operator = getAddress(await d.configOperator());
    const signer = getAddress(ctx.signer.address);

    const plan: PlannedTx[] = [];
    const missing = payers.filter((p) => !current.includes(p));
    const sameSet = missing.length === 0 && current.length === payers.length;
    if (a.replace ? !sameSet : missing.length > 0) {
      const list = a.replace ? payers : [...current, ...missing];
      plan.push({
        description: `setApiPayers: ${a.replace ? "exactly" : "add"} ${(a.replace ? payers : missing).join(", ")}`,
        to: ctx.diamondAddress,
        value: 0n,
        data: ctx.iface.encodeFunctionData("setApiPayers", [list]),
        call: (c) => send(c, (x) => x.setApiPayers(list)),
      });
    }
    if (admin !== null && admin !== currentAdmin) {
      const next = admin;
      plan.push({
        description: `setAdminApiPayerAccount: ${next} (was ${currentAdmin})`,
        to: ctx.diamondAddress,
        value: 0n,
        data: ctx.iface.encodeFunctionData("setAdminApiPayerAccount", [next]),
        call: (c) => send(c, (x) => x.setAdminApiPayerAccount(next)),
      });
    }
    const provider = hre.ethers.provider;
    const targets: [string, bigint | null][] = [...payers.map((p): [string, bigint | null] => [p, fund])];
    if (admin !== null) targets.push([admin, fundAdmin]);
    for (const [address, target] of targets) {
      if (target === null) continue;
      const balance = await provider.getBalance(address);
      if (balance >= target) continue;
      plan.push({ description: `fund ${address}: ${formatEther(balance)} -> ${formatEther(target)} ETH`, to: address, value: target - balance, data: "0x" });
    }

    const registers = plan.some((t) => t.call !== undefined);
    const authorised = signer === owner || signer === operator;
    if (a.calldata || (registers && !authorised)) {
      return {
        diamond: ctx.diamondAddress,
        payers,
        admin,
        submitted: false,
        reason: a.calldata
          ? "--calldata: nothing sent"
          : `the signer ${signer} is neither the owner ${owner} nor the config operator ${operator}: submit these from the owner (e.g. a Safe's transaction builder), in order`,
        submitFrom: owner,
        transactions: plan.map(txJson),
      };
    }
    const done: JsonObject[] = [];
    for (const t of plan) {
      if (t.call) {
        done.push({ description: t.description, ...(await t.call(ctx)) });
      } else {
        const tx = await ctx.signer.sendTransaction({ to: t.to, value: t.value });
        const receipt = await tx.wait();
        done.push({ description: t.description, tx: tx.hash, block: receipt?.blockNumber ?? null });
      }
    }
    const balances: JsonObject = {};
    for (const [address] of targets) balances[address] = (await provider.getBalance(address)).toString();
    return {
      diamond: ctx.diamondAddress,
      payers,
      admin,
      submitted: true,
      transactions: done,
      apiPayers: (await d.api_payers()).map((x) => getAddress(x)),
      adminApiPayer: getAddress(await d.adminApiPayerAccount()),
      balances,
    };
  },
});

defineTool({
  name: "relayer:reindex",
  description:
    "Rebuild the relayer's index from the chain (docs/finality.md): drops every index row, the undo journal and the cursor of the relayer's database (DATA_DIR's SQLite file, or DATABASE_URL), then applies the diamond's events again from the start block to the current head of --network. Run it with the relayer stopped (or start the relayer with --reindex instead). The start block is --start-block, else $START_BLOCK, else the AccountConfig deployment's block on the network, else 0. Prints {diamond, database, startBlock, head, indexedBlock, rows}. Signer: --from, default signer 0 (none is used: it sends nothing).",
  params: {
    dataDir: optional("the relayer's DATA_DIR (default: $DATA_DIR, else ./data): its SQLite database is rebuilt, unless a database URL is given"),
    databaseUrl: optional("the relayer's DATABASE_URL (default: $DATABASE_URL): a postgres:// database to rebuild instead of SQLite"),
    startBlock: optional("first block to index (default: $START_BLOCK, else the diamond's deployment block, else 0)"),
  },
  run: async (hre, common, a): Promise<JsonObject> => {
    const diamond = await diamondOrNull(hre, common.diamond);
    if (diamond === null) throw new TaskError("NoDeployment", `no AccountConfig deployment on network ${hre.network.name}; pass --diamond`);
    if ((await hre.ethers.provider.getCode(diamond)) === "0x") {
      throw new TaskError("NoDeployment", `no contract at ${diamond} on network ${hre.network.name}`);
    }
    const startText = a.startBlock ?? process.env.START_BLOCK;
    let startBlock = 0;
    if (startText !== undefined && startText.trim() !== "") {
      if (!/^[0-9]+$/.test(startText.trim())) throw new InvalidArgument(`--start-block: expected a block number, got "${startText}"`);
      startBlock = Number(startText.trim());
    } else {
      const deployment = await hre.deployments.getOrNull("AccountConfig");
      startBlock = deployment?.receipt?.blockNumber ?? 0;
    }
    const dataDir = a.dataDir ?? process.env.DATA_DIR ?? "./data";
    const databaseUrl = (a.databaseUrl ?? process.env.DATABASE_URL ?? "").trim();
    // Loaded here: the store and the indexer are not needed to load hardhat.config.ts.
    const { openStore } = await import("../src/relayer/store");
    const { reindex } = await import("../src/relayer/reindex");
    const store = await openStore({ dataDir, databaseUrl: databaseUrl || undefined });
    try {
      const rpc = { send: (method: string, params: unknown[]) => hre.ethers.provider.send(method, params) };
      const r = await reindex({ store, rpc, diamondAddress: diamond, startBlock });
      return {
        diamond,
        database: databaseUrl ? "postgres" : `sqlite (${dataDir})`,
        startBlock: r.startBlock,
        head: r.head,
        indexedBlock: r.indexedBlock,
        rows: r.rows,
      };
    } finally {
      await store.close();
    }
  },
});
