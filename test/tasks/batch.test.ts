/** batch:calls task (BatchFacet.batchCalls). */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ethers } from "hardhat";
import type { JsonObject, WriteResult } from "../../tasks/lib/cli";
import { fails, indexOf, newManaged, run, setup, type TaskEnv } from "./support";

type BatchResult = WriteResult & { calls: JsonObject[]; failed: number };

describe("tasks: batch", () => {
  let env: TaskEnv;
  let master: { key: string; hash: string };
  beforeEach(async () => {
    env = await setup();
    master = await newManaged("batch");
  });

  const addGroup = (name: string) => ({ method: "addGroup", args: [master.hash, name, "", [], []] });

  it("batch:calls sends the calls in one transaction and prints each call's outcome, own events or decoded error", async () => {
    const r = await run<BatchResult>("batch:calls", {
      calls: JSON.stringify([addGroup("a"), { method: "removeGroup", args: [master.hash, "999"] }, addGroup("b")]),
    });
    expect(r.failed).to.equal(1);
    expect(r.calls.map((c) => [c.index, c.method, c.success])).to.deep.equal([
      [0, "addGroup", true],
      [1, "removeGroup", false],
      [2, "addGroup", true],
    ]);
    expect((r.calls[0].events as JsonObject[]).map((e) => e.name)).to.deep.equal(["GroupAdded", "GroupMetadataSet"]);
    expect(((r.calls[2].events as JsonObject[])[0].args as JsonObject).groupId).to.equal("2");
    expect(r.calls[1].error).to.equal("GroupDoesNotExist");
    expect(r.calls[1].args).to.deep.equal({ apiKeyHash: master.hash, groupId: "999" });
    expect(r.tx).to.match(/^0x[0-9a-f]{64}$/);
    expect(BigInt(r.gasUsed)).to.equal((await ethers.provider.getTransactionReceipt(r.tx))!.gasUsed);
    expect((await env.diamond.listGroups(master.hash, 0, 10)).map((g) => g.name)).to.deep.equal(["a", "b"]);
  });

  it("batch:calls --file reads the same JSON array from a file", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "batch-task-")), "calls.json");
    fs.writeFileSync(file, JSON.stringify([addGroup("from-file"), { method: "addAction", args: [master.hash, "act", "", ethers.id("QmX")] }]));
    const r = await run<BatchResult>("batch:calls", { file });
    expect(r.failed).to.equal(0);
    expect(r.calls.map((c) => c.method)).to.deep.equal(["addGroup", "addAction"]);
    expect((await env.diamond.getAccount(master.hash)).actionCount).to.equal(1n);
  });

  it("batch:calls gives each call exactly the signer's own authority", async () => {
    const stranger = env.users[0];
    const r = await run<BatchResult>("batch:calls", { calls: JSON.stringify([addGroup("x"), addGroup("y")]), from: indexOf(env, stranger) });
    expect(r.failed).to.equal(2);
    for (const c of r.calls) {
      expect(c.error).to.equal("OnlyApiPayerOrOwner");
      expect(c.args).to.deep.equal({ caller: stranger.address });
    }
    expect((await env.diamond.getAccount(master.hash)).groupCount).to.equal(0n);
  });

  it("batch:calls validates the JSON before sending anything", async () => {
    const block = await ethers.provider.getBlockNumber();
    const neither = await fails("batch:calls", {}, "InvalidArgument");
    expect(neither.message).to.match(/^give either --calls or --file/);
    await fails("batch:calls", { calls: "[]", file: "x.json" }, "InvalidArgument");
    const json = await fails("batch:calls", { calls: "[{" }, "InvalidArgument");
    expect(json.message).to.match(/^--calls: expected a JSON array .* got invalid JSON/);
    await fails("batch:calls", { calls: '{"method":"addGroup"}' }, "InvalidArgument");
    const shape = await fails("batch:calls", { calls: '[{"args":[]}]' }, "InvalidArgument");
    expect(shape.message).to.match(/^--calls entry 1: expected \{"method"/);
    const unknown = await fails("batch:calls", { calls: JSON.stringify([addGroup("a"), { method: "noSuchFunction", args: [] }]) }, "InvalidArgument");
    expect(unknown.message).to.equal('--calls entry 2: "noSuchFunction" is not a function of IAccountConfig');
    const args = await fails("batch:calls", { calls: JSON.stringify([{ method: "removeGroup", args: [master.hash] }]) }, "InvalidArgument");
    expect(args.message).to.match(/^--calls entry 1 \(removeGroup\(uint256,uint256\)\): /);
    const missing = await fails("batch:calls", { file: path.join(os.tmpdir(), "no-such-batch-file.json") }, "InvalidArgument");
    expect(missing.message).to.match(/^--file: cannot read /);
    expect(await ethers.provider.getBlockNumber()).to.equal(block);
  });

  it("batch:calls prints the revert of the whole batch: EmptyBatch for [], NestedBatch(i) for a nested batch", async () => {
    await fails("batch:calls", { calls: "[]" }, "EmptyBatch");
    const nested = await fails("batch:calls", { calls: JSON.stringify([addGroup("a"), { method: "batchCalls", args: [[]] }]) }, "NestedBatch");
    expect(nested.args).to.deep.equal({ index: "1" });
    expect((await env.diamond.getAccount(master.hash)).groupCount).to.equal(0n);
  });
});
