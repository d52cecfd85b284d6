import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import { WriteTooLargeError, type WriteRequest } from "../../../src/relayer/ports";
import { FlakyRpc, devKey, h, hardhatRpc, rejectionOf, start, until, chainPerTest } from "../support";

const newAccount = (f: DiamondFixture, label: string): WriteRequest => ({
  method: "newAccount",
  args: [h(label), true, label, "", f.users[0].address],
});

/** A node error as a JSON-RPC error answer carries it. */
const nodeError = (message: string): Error => Object.assign(new Error(message), { code: -32000 });

describe("relayer writes against a node's size and gas limits", function () {
  const t = chainPerTest("sqlite");
  let f: DiamondFixture;

  beforeEach(async () => {
    f = await loadFixture(deployDiamond);
  });

  it("answers a single write the node refuses for its gas cap with WriteTooLargeError, and the payer's next write goes out", async () => {
    const rpc = new FlakyRpc(hardhatRpc());
    // The node refuses the first transaction, each time it is sent (its gas limit is above its cap).
    let tooBig: string | null = null;
    rpc.before = async (method, params) => {
      if (method !== "eth_sendRawTransaction") return;
      tooBig ??= params[0] as string;
      if (params[0] === tooBig) throw nodeError("transaction gas limit too high (cap: 16777216, tx: 20000000)");
    };
    const chain = t.keep(await start(t.store(), f.diamondAddress, { provider: rpc, payerKeys: [devKey(4)], writeTimeoutMs: 5000 }));
    const err = await rejectionOf(chain.writes.write(newAccount(f, "too-big")));
    expect(err).to.be.instanceOf(WriteTooLargeError);
    expect((err as WriteTooLargeError).limit).to.equal("GasCap");
    expect(await t.store().index.account(h("too-big")), "nothing applied").to.equal(null);
    // The refused transaction's nonce is filled, so the same payer's next write is mined behind it.
    const r = await chain.writes.write(newAccount(f, "next"));
    expect(await t.store().index.account(h("next"))).to.not.equal(null);
    expect((await ethers.provider.getTransaction(r.txHash))?.nonce).to.equal(1);
    await until(async () => (await t.store().outbox.list()).some((x) => x.kind === "filler" && x.status === "mined"), 5000, "the filler mined");
    const rows = await t.store().outbox.list();
    expect(rows.map((x) => [x.kind, x.status, x.nonce])).to.deep.equal([
      ["call", "failed", 0],
      ["filler", "mined", 0],
      ["call", "mined", 1],
    ]);
  });

  it("gets every call of a batch the node refuses as oversized through in smaller batches", async () => {
    const rpc = new FlakyRpc(hardhatRpc());
    // A node whose size limit is 2 000 bytes: about five of these calls per transaction.
    const limit = 2000;
    let refused = 0;
    rpc.before = async (method, params) => {
      const raw = method === "eth_sendRawTransaction" ? (params[0] as string) : "0x";
      if ((raw.length - 2) / 2 > limit) {
        refused++;
        throw nodeError(`oversized data: transaction size ${(raw.length - 2) / 2}, limit ${limit}`);
      }
    };
    const chain = t.keep(await start(t.store(), f.diamondAddress, { provider: rpc, payerKeys: [devKey(4)], batchMaxInFlight: 1, writeTimeoutMs: 10_000 }));
    const labels = Array.from({ length: 16 }, (_, i) => `big-${i}`);
    const receipts = await Promise.all(labels.map((l) => chain.writes.write(newAccount(f, l))));
    expect(receipts).to.have.length(16);
    for (const l of labels) expect(await t.store().index.account(h(l)), l).to.not.equal(null);
    expect(refused, "the node refused at least one batch").to.be.greaterThan(0);
    const rows = await t.store().outbox.list();
    const calls = rows.filter((x) => x.kind === "call");
    expect(calls.filter((x) => x.status === "failed")).to.have.length(refused);
    expect(calls.filter((x) => x.status === "mined").length, "in batches, not one by one").to.be.lessThan(16);
    expect(chain.writes.stats().batches).to.be.greaterThan(refused);
  });
});
