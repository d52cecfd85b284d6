/**
 * Several relayer instances on one Postgres database (README "Several instances"): two child
 * processes with the same root secret and payers, each with its own port and DATA_DIR, share one
 * schema, a real `hardhat node` chain (mining a block every 200 ms, so a nonce gap or a nonce
 * used twice would show: the node holds gapped transactions instead of refusing them) and the
 * billing ledger (dev provider). Concurrent writes sent
 * to both are all applied once, with distinct group ids and gap-free payer nonces; each instance
 * reads what the other wrote; the one ledger charges every write once, and a payment confirmed
 * concurrently through both instances is credited once. Skips when Postgres does not answer.
 */
import fs from "fs";
import os from "os";
import path from "path";
import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";
import { diamondInterface } from "../../../src/relayer/chain";
import {
  configFromEnv,
  createPgSchema,
  deployDiamondTo,
  expectGapFreeNonces,
  freePort,
  http,
  minedTransactions,
  registerPayers,
  relayerEnv,
  setMining,
  startChainNode,
  skipWithoutPostgres,
  startRelayerChild,
  type ChainNode,
  type PgSchema,
  type Deployed,
  type RelayerChild,
} from "./support";

const WRITES = 40;

/** The diamond calls a transaction's input carries (itself, or each call of batchCalls). */
function callsCarried(input: string): { name: string; group: string }[] {
  const tx = diamondInterface.parseTransaction({ data: input });
  if (tx === null) return [];
  const calls = tx.name === "batchCalls" ? [...(tx.args[0] as string[])] : [input];
  return calls.map((c) => {
    const call = diamondInterface.parseTransaction({ data: c });
    return { name: call?.name ?? "?", group: call?.name === "addGroup" ? String(call.args[1]) : "" };
  });
}

describe("relayer: two instances sharing one Postgres database", function () {
  this.timeout(180_000);

  let chain: ChainNode | undefined;
  let deployed: Deployed | undefined;
  const instances: RelayerChild[] = [];
  const dataDirs: string[] = [];
  let payers: string[] = [];
  let apiKey = "";
  let groupIds: string[] = [];
  let pgSchema: PgSchema | undefined;

  before(async function () {
    await skipWithoutPostgres(this);
    chain = await startChainNode();
    deployed = await deployDiamondTo(chain.url);
    pgSchema = await createPgSchema(`multi_instance_${process.pid}_${Date.now().toString(36)}`);
    const rootSecret = hexlify(randomBytes(32));
    const envs: Record<string, string>[] = [];
    for (let i = 0; i < 2; i++) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `relayer-multi-${i}-`));
      dataDirs.push(dataDir);
      envs.push({
        ...relayerEnv({ dataDir, rootSecret, rpcUrl: chain.url, diamondAddress: deployed.diamondAddress, port: await freePort() }),
        DATABASE_URL: pgSchema.databaseUrl,
        BILLING_PROVIDER: "dev",
        BILLING_STARTING_CREDIT_CENTS: "1000",
      });
    }
    ({ payers } = await registerPayers(deployed, configFromEnv(envs[0])));
    payers = payers.map((p) => p.toLowerCase());
    await setMining(chain.url, { intervalMs: 200 });
    // Started one after the other: the second also runs the (already applied) migrations.
    for (const env of envs) instances.push(await startRelayerChild(env));
  });

  after(async () => {
    for (const r of instances) await r.stop("SIGKILL");
    await chain?.stop("SIGKILL");
    deployed?.provider.destroy();
    for (const d of dataDirs) fs.rmSync(d, { recursive: true, force: true });
    await pgSchema?.drop();
  });

  it("an account created through one instance is known to the other", async () => {
    const res = await http(instances[0].url, "POST", "/core/v1/new_account", {
      body: { account_name: "shared", account_description: "" },
    });
    expect(res.status, res.text).to.equal(200);
    apiKey = (res.body as { api_key: string }).api_key;
    const exists = await http(instances[1].url, "GET", "/core/v1/account_exists", { key: apiKey });
    expect(exists.body).to.equal(true);
  });

  it(`${WRITES} concurrent writes spread over both instances all succeed with distinct group ids`, async () => {
    const replies = await Promise.all(
      Array.from({ length: WRITES }, (_, i) =>
        http(instances[i % 2].url, "POST", "/core/v1/add_group", {
          key: apiKey,
          body: { group_name: `g${i}`, group_description: "", pkp_ids_permitted: [], cid_hashes_permitted: [] },
          idempotencyKey: `multi-${i}`,
        }),
      ),
    );
    expect(replies.map((r) => r.status), replies.map((r) => r.text).join("\n")).to.deep.equal(Array(WRITES).fill(200));
    groupIds = replies.map((r) => (r.body as { group_id: string }).group_id);
    expect(new Set(groupIds).size).to.equal(WRITES);
  });

  it("each instance lists every group, whichever instance wrote it", async () => {
    for (const r of instances) {
      const res = await http(r.url, "GET", "/core/v1/list_groups?page_number=0&page_size=100", { key: apiKey });
      expect(res.status).to.equal(200);
      const ids = (res.body as { id: string }[]).map((g) => BigInt(g.id).toString());
      expect(ids).to.have.members(groupIds);
    }
  });

  it("the payers' nonces have no gaps, no duplicates and nothing pending or queued in the node's pool", async () => {
    await expectGapFreeNonces(chain!.url, payers);
    const txs = await minedTransactions(chain!.url, payers, deployed!.deployBlock);
    // Each write carried once, alone or in a batchCalls transaction; + newAccount and registerWalletDerivation.
    const calls = txs.filter((t) => t.to === deployed!.diamondAddress.toLowerCase()).flatMap((t) => callsCarried(t.input));
    expect(calls.filter((c) => c.name === "addGroup").map((c) => c.group).sort()).to.deep.equal(
      Array.from({ length: WRITES }, (_, i) => `g${i}`).sort(),
    );
    expect(calls.map((c) => c.name).filter((n) => n !== "addGroup").sort()).to.deep.equal(["newAccount", "registerWalletDerivation"]);
  });

  it("one ledger: both instances report the same balance, every write charged once", async () => {
    const balances = await Promise.all(
      instances.map(async (r) => (await http(r.url, "GET", "/core/v1/billing/balance", { key: apiKey })).body),
    );
    expect(balances[0]).to.deep.equal({ balance_cents: -(1000 - WRITES), balance_display: `$${((1000 - WRITES) / 100).toFixed(2)} credit` });
    expect(balances[1]).to.deep.equal(balances[0]);
  });

  it("a payment confirmed concurrently through both instances is credited once", async () => {
    const intent = await http(instances[0].url, "POST", "/core/v1/billing/create_payment_intent", {
      key: apiKey,
      body: { amount_cents: 500 },
    });
    expect(intent.status, intent.text).to.equal(200);
    const id = (intent.body as { payment_intent_id: string }).payment_intent_id;
    const confirms = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        http(instances[i % 2].url, "POST", "/core/v1/billing/confirm_payment", { key: apiKey, body: { payment_intent_id: id } }),
      ),
    );
    expect(confirms.map((r) => r.status)).to.deep.equal(Array(10).fill(200));
    expect(confirms.filter((r) => (r.body as { already_credited: boolean }).already_credited === false)).to.have.length(1);
    const balance = await http(instances[1].url, "GET", "/core/v1/billing/balance", { key: apiKey });
    expect((balance.body as { balance_cents: number }).balance_cents).to.equal(-(1000 - WRITES + 500));
  });
});
