/** tasks/lib/cli.ts: signer and diamond options, output format, error mapping, function coverage. */
import { expect } from "chai";
import { execFile } from "child_process";
import * as path from "path";
import hre, { ethers } from "hardhat";
import { ParseError } from "../../src/core";
import { decodeRevert, errorToJson, registeredTasks, revertDataOf, type JsonObject } from "../../tasks/lib/cli";
import { fails, newManaged, run, runTask, setup, write, type TaskEnv } from "./support";
import { TASK_AREAS } from "../../scripts/gen-task-table";

describe("tasks: common options and output", () => {
  let env: TaskEnv;
  beforeEach(async () => {
    env = await setup();
  });

  it("--from accepts a named account, a signer index or a signer address (any case, 0x optional)", async () => {
    for (const from of ["apiPayer1", "4", env.payer.address, env.payer.address.toLowerCase(), env.payer.address.slice(2)]) {
      const r = await write("config:server-trigger", { from });
      expect(r.events[0].args.sender, from).to.equal(env.payer.address);
    }
    const dflt = await write("config:server-trigger");
    expect(dflt.events[0].args.sender).to.equal(env.owner.address);
  });

  it("--from rejects unknown names, indexes and addresses with InvalidArgument", async () => {
    const name = await fails("config:server-trigger", { from: "nobody" }, "InvalidArgument");
    expect(name.message).to.match(/^--from: expected a named account, a signer index \(0-\d+\) or a signer address \(named: .*apiPayer1.*\), got "nobody"$/);
    await fails("config:server-trigger", { from: "999" }, "InvalidArgument");
    const stranger = ethers.Wallet.createRandom().address;
    const addr = await fails("config:server-trigger", { from: stranger }, "InvalidArgument");
    expect(addr.message).to.equal(`--from: ${stranger} is not a signer configured for network hardhat`);
  });

  it("--diamond overrides the deployment; a bad or empty address fails cleanly", async () => {
    expect(await run("account:count", { diamond: env.address.toLowerCase() })).to.equal((await env.diamond.accountCount()).toString());
    const bad = await fails("account:count", { diamond: "0x1" }, "InvalidArgument");
    expect(bad.message).to.equal('--diamond: expected a 20-byte hex address (0x optional), got "0x1"');
    const empty = ethers.Wallet.createRandom().address;
    const e = await fails("account:count", { diamond: empty }, "NoDeployment");
    expect(e.message).to.equal(`no contract at ${empty} on network hardhat`);
  });

  it("prints one JSON line, or indented JSON with --pretty; the return value equals the printed JSON", async () => {
    const { hash } = await newManaged("pretty");
    const plain = await runTask("account:get", { account: hash });
    expect(plain.printed).to.not.include("\n");
    const pretty = await runTask("account:get", { account: hash, pretty: true });
    expect(pretty.printed).to.include('\n  "masterApiKeyHash": ');
    expect(JSON.parse(pretty.printed)).to.deep.equal(plain.value);
    expect(pretty.value).to.deep.equal(plain.value);
  });

  it("a revert prints {error, args} and sets exit code 1 without a stack trace", async () => {
    const out = await runTask("account:get", { account: "missing" });
    expect(out.exitCode).to.equal(1);
    expect(Object.keys(out.value as JsonObject)).to.deep.equal(["error", "args"]);
    expect(out.printed).to.not.match(/\bat\s/);
    expect(JSON.parse(out.printed)).to.deep.equal(out.value);
  });

  it("options given as numbers through hre.run are accepted", async () => {
    const r = await write("config:set-rebalance-amount", { amount: 12 });
    expect(r.events[0].args.newRebalanceAmount).to.equal("12");
    await write("config:set-requested-payer-count", { count: 3n });
    expect(await env.diamond.requestedApiPayerCount()).to.equal(3n);
  });
});

describe("tasks: error mapping", () => {
  it("decodes custom errors, Error(string), Panic and unknown data", async () => {
    const { address } = await setup();
    const iface = (await ethers.getContractAt("IAccountConfig", address)).interface;
    const custom = iface.encodeErrorResult("GroupDoesNotExist", [5n, 7n]);
    expect(decodeRevert(iface, custom)).to.deep.equal({
      error: "GroupDoesNotExist",
      args: { apiKeyHash: `0x${"0".repeat(63)}5`, groupId: "7" },
    });
    const text = `0x08c379a0${ethers.AbiCoder.defaultAbiCoder().encode(["string"], ["boom"]).slice(2)}`;
    expect(decodeRevert(iface, text)).to.deep.equal({ error: "Error", args: { message: "boom" } });
    const panic = `0x4e487b71${ethers.AbiCoder.defaultAbiCoder().encode(["uint256"], [0x11]).slice(2)}`;
    expect(decodeRevert(iface, panic)).to.deep.equal({ error: "Panic", args: { code: "0x11" } });
    expect(decodeRevert(iface, "0xdeadbeef")).to.deep.equal({ error: "UnknownRevert", args: { data: "0xdeadbeef" } });

    expect(revertDataOf({ error: { data: { data: custom } } })).to.equal(custom);
    expect(revertDataOf({ info: { error: { data: custom } } })).to.equal(custom);
    expect(errorToJson(iface, { data: custom }).error).to.equal("GroupDoesNotExist");
    expect(errorToJson(iface, new ParseError("--x: expected y, got \"z\""))).to.deep.equal({ error: "InvalidArgument", message: '--x: expected y, got "z"' });
    expect(errorToJson(iface, new Error("first line\nsecond"))).to.deep.equal({ error: "Failed", message: "first line" });
  });
});

describe("tasks: coverage of the diamond's functions", () => {
  /** Functions that only the deploy scripts use (diamond upgrades, ERC-165, ownership transfer). */
  const NOT_TASKS = new Set(["diamondCut", "facetFunctionSelectors", "facetAddresses", "facetAddress", "supportsInterface", "transferOwnership"]);

  it("every function of IAccountConfig is named in the description of some task", async () => {
    const artifact = await hre.artifacts.readArtifact("IAccountConfig");
    const iface = new ethers.Interface(artifact.abi);
    const descriptions = registeredTasks.map((n) => hre.tasks[n].description ?? "").join("\n");
    const missing: string[] = [];
    iface.forEachFunction((f) => {
      if (NOT_TASKS.has(f.name)) return;
      if (!new RegExp(`\\b${f.name}\\b`).test(descriptions)) missing.push(f.name);
    });
    expect(missing).to.deep.equal([]);
    expect(registeredTasks).to.include("account:transfer");
    expect(hre.tasks["account:transfer"].description).to.include("transferChainSecuredAccountOwnership");
  });

  it("every registered task is area:verb and has a description", () => {
    for (const name of registeredTasks) {
      expect(name).to.match(new RegExp(`^(${TASK_AREAS.join("|")}):[a-z-]+$`));
      expect(hre.tasks[name].description ?? "").to.match(/Signer: --from, default /);
    }
  });
});

describe("tasks: command line", () => {
  it("`hardhat group:remove --group abc` prints InvalidArgument JSON on stdout and exits 1", async () => {
    const root = path.join(__dirname, "..", "..");
    const bin = path.join(root, "node_modules", ".bin", "hardhat");
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        bin,
        ["group:remove", "--account", "some key", "--group", "abc"],
        { cwd: root, env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" } },
        (error, stdout, stderr) => resolve({ code: error ? (error.code as number | null) : 0, stdout, stderr }),
      );
    });
    expect(result.code, result.stderr).to.equal(1);
    expect(JSON.parse(result.stdout.trim())).to.deep.equal({
      error: "InvalidArgument",
      message: '--group: expected a decimal or 0x-hex group id, got "abc"',
    });
  });
});
