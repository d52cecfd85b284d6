/** relayer:* tasks: the relayer's payer addresses from its settings, registering and funding them (also as calldata for a Safe owner). */
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { ethers } from "hardhat";
import type { JsonObject } from "../../tasks/lib/cli";
import { loadConfig } from "../../src/relayer/config";
import { payerAddressesOf } from "../../src/relayer/payer-keys";
import { fails, indexOf, run, runTask, setup, type TaskEnv } from "./support";

describe("tasks: relayer", () => {
  let env: TaskEnv;
  let dataDir: string;
  /** The relayer's own payer addresses for dataDir (as the relayer derives them). */
  let own: { payers: string[]; admin: string };
  const saved = { ROOT_SECRET: process.env.ROOT_SECRET, ROOT_SECRET_FILE: process.env.ROOT_SECRET_FILE, PAYER_KEYS: process.env.PAYER_KEYS };

  beforeEach(async () => {
    env = await setup();
    // The relayer's settings come from the environment of the command, as for the relayer itself.
    delete process.env.ROOT_SECRET;
    delete process.env.ROOT_SECRET_FILE;
    delete process.env.PAYER_KEYS;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "relayer-task-"));
    own = payerAddressesOf(loadConfig({ DATA_DIR: dataDir }));
  });

  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("relayer:payers prints the relayer's payer addresses from its data dir, and their registration and balance on the diamond", async () => {
    const out = await run<JsonObject>("relayer:payers", { dataDir });
    expect(out).to.deep.include({ source: path.join(dataDir, "root-secret"), payers: own.payers, admin: own.admin, diamond: env.address });
    const onChain = out.onChain as JsonObject;
    expect(onChain.registered).to.equal(false);
    expect(onChain.payers).to.deep.equal([
      ...own.payers.map((address) => ({ address, role: "payer", registered: false, balance: "0" })),
      { address: own.admin, role: "admin", registered: false, balance: "0" },
    ]);
    // --payer-count as PAYER_COUNT.
    const three = await run<JsonObject>("relayer:payers", { dataDir, payerCount: "3" });
    expect((three.payers as string[]).slice(0, 2)).to.deep.equal(own.payers);
    expect(three.payers).to.have.length(3);
  });

  it("relayer:payers without a root secret says how to create one; --create-secret creates it (mode 0600) as the relayer would", async () => {
    const fresh = path.join(dataDir, "fresh");
    const e = await fails("relayer:payers", { dataDir: fresh }, "RelayerSettings");
    expect(e.message).to.match(/root-secret does not exist .*--create-secret/);
    const out = await run<JsonObject>("relayer:payers", { dataDir: fresh, createSecret: true });
    const file = path.join(fresh, "root-secret");
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    expect(out.payers).to.deep.equal(payerAddressesOf(loadConfig({ DATA_DIR: fresh })).payers);
    // The relayer then reads the same secret.
    expect((await run<JsonObject>("relayer:payers", { dataDir: fresh })).payers).to.deep.equal(out.payers);
  });

  it("relayer:register-payers adds the payers, sets the admin payer, tops each up to --fund; a second run sends nothing", async () => {
    const before = await env.diamond.api_payers();
    const out = await run<JsonObject>("relayer:register-payers", { dataDir, fund: "0.05" });
    expect(out.submitted).to.equal(true);
    expect((out.transactions as JsonObject[]).map((t) => String(t.description).split(":")[0])).to.deep.equal([
      "setApiPayers",
      "setAdminApiPayerAccount",
      ...[...own.payers, own.admin].map((a) => `fund ${a}`),
    ]);
    expect(await env.diamond.api_payers()).to.deep.equal([...before, ...own.payers]);
    expect(await env.diamond.adminApiPayerAccount()).to.equal(own.admin);
    for (const a of [...own.payers, own.admin]) expect(await ethers.provider.getBalance(a)).to.equal(ethers.parseEther("0.05"));
    expect((await run<JsonObject>("relayer:payers", { dataDir })).onChain).to.deep.include({ registered: true });

    const again = await run<JsonObject>("relayer:register-payers", { dataDir, fund: "0.05" });
    expect(again.transactions).to.deep.equal([]);
    // Only the difference is sent; --fund-admin for the admin payer.
    await ethers.provider.send("hardhat_setBalance", [own.payers[0], ethers.toQuantity(ethers.parseEther("0.01"))]);
    const topUp = await run<JsonObject>("relayer:register-payers", { dataDir, fund: "0.05", fundAdmin: "0.2" });
    expect((topUp.transactions as JsonObject[]).map((t) => t.description)).to.deep.equal([
      `fund ${own.payers[0]}: 0.01 -> 0.05 ETH`,
      `fund ${own.admin}: 0.05 -> 0.2 ETH`,
    ]);
    expect(await ethers.provider.getBalance(own.admin)).to.equal(ethers.parseEther("0.2"));
  });

  it("relayer:register-payers --replace makes the list exactly the relayer's payers; --payers/--admin need no secret", async () => {
    const a = ethers.Wallet.createRandom().address;
    const b = ethers.Wallet.createRandom().address;
    await run("relayer:register-payers", { payers: `${a.toLowerCase()},${b}`, replace: true, dataDir: path.join(dataDir, "none") });
    expect(await env.diamond.api_payers()).to.deep.equal([a, b]);
    expect(await env.diamond.adminApiPayerAccount(), "no --admin: left as is").to.equal(env.adminPayer.address);
    await run("relayer:register-payers", { dataDir, replace: true });
    expect(await env.diamond.api_payers()).to.deep.equal(own.payers);
  });

  it("relayer:register-payers with a signer that may not register prints the transactions instead (a Safe owner), and they work when submitted", async () => {
    // The diamond's owner becomes a contract wallet controlled by users[5]; signer 0 is neither owner nor operator.
    const wallet = await ethers.deployContract("ERC1271WalletTest", [env.users[5].address]);
    const walletAddress = await wallet.getAddress();
    await (await env.diamond.connect(env.owner).setConfigOperator(env.users[4].address)).wait();
    await (await env.diamond.connect(env.owner).transferOwnership(walletAddress)).wait();
    const out = await run<JsonObject>("relayer:register-payers", { dataDir, fund: "0.01" });
    expect(out).to.deep.include({ submitted: false, submitFrom: walletAddress });
    expect(String(out.reason)).to.match(/neither the owner .* nor the config operator/);
    const txs = out.transactions as { to: string; value: string; data: string; description: string }[];
    expect(txs.map((t) => t.description.split(":")[0])).to.deep.equal([
      "setApiPayers",
      "setAdminApiPayerAccount",
      ...[...own.payers, own.admin].map((x) => `fund ${x}`),
    ]);
    expect(await env.diamond.api_payers(), "nothing sent").to.not.include(own.payers[0]);
    for (const t of txs) {
      if (t.data !== "0x") await (await wallet.connect(env.users[5]).getFunction("execute")(t.to, t.data)).wait();
      else await (await env.users[6].sendTransaction({ to: t.to, value: BigInt(t.value) })).wait();
    }
    expect(await env.diamond.api_payers()).to.include.members(own.payers);
    expect(await env.diamond.adminApiPayerAccount()).to.equal(own.admin);
    expect(await ethers.provider.getBalance(own.admin)).to.equal(ethers.parseEther("0.01"));
    // --calldata prints even for a signer that could send (here the config operator): nothing to do now.
    const printed = await run<JsonObject>("relayer:register-payers", { dataDir, calldata: true, from: indexOf(env, env.users[4]) });
    expect(printed).to.deep.include({ submitted: false, transactions: [] });
  });

  it("relayer:register-payers refuses bad options and a missing secret before touching the chain", async () => {
    expect((await fails("relayer:register-payers", { dataDir, fund: "five" }, "InvalidArgument")).message).to.match(/--fund: expected an amount of ETH/);
    expect((await fails("relayer:register-payers", { dataDir, fund: "0" }, "InvalidArgument")).message).to.match(/above 0/);
    expect((await fails("relayer:register-payers", { payers: "0x1234" }, "InvalidArgument")).message).to.match(/--payers entry 1/);
    const e = await fails("relayer:register-payers", { dataDir: path.join(dataDir, "none") }, "RelayerSettings");
    expect(e.message).to.match(/does not exist/);
    const out = await runTask("relayer:register-payers", { dataDir, from: indexOf(env, env.users[0]) });
    // Not authorised and nothing sent: the transactions to submit, exit code 0.
    expect(out.exitCode).to.equal(0);
    expect((out.value as JsonObject).submitted).to.equal(false);
  });
});
