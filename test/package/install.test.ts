/**
 * Proof that an app can use the `accountconfig` package (README "Package layout"): the packed root
 * package installed with npm into an empty app (packed-app.ts) pulls no server dependency, and a
 * consumer written against its exports (Node16 resolution: package.json "exports" is what resolves)
 * type-checks and runs: TypeChain bindings, ABI, deployments, core helpers, and the SDK in both
 * modes: wallet (diamond) mode through the app's own ethers BrowserProvider over the in-process
 * chain's EIP-1193 provider, HTTP mode against an in-process relayer.
 *
 * The installed tree's listing and size are written to test-results/package-install-tree.txt.
 */
import { expect } from "chai";
import { execFile } from "child_process";
import fs from "fs";
import { config, ethers, network } from "hardhat";
import type { AddressInfo } from "net";
import path from "path";
import { promisify } from "util";
import { collectDeployments } from "../../scripts/lib/package-deployments";
import { startHarness, type Harness } from "../relayer/e2e/relayer-harness";
import { PACKED_APP_TIMEOUT_MS, ROOT, packedApp, type PackedApp } from "./packed-app";

const run = promisify(execFile);

/** What an app must never get by installing the bindings and SDK. */
const SERVER_PACKAGES = ["isolated-vm", "better-sqlite3", "fastify", "pg", "stripe", "hardhat"];

const CONSUMER = `import { BrowserProvider, Interface, type Eip1193Provider } from "ethers";
import { IAccountConfig__factory, type IAccountConfig } from "accountconfig/types";
import abi from "accountconfig/abi/AccountConfig.json";
import { accountConfigAddress, deploymentFor, deployments, type AccountConfigDeployment } from "accountconfig/deployments";
import { chainSecuredHash, isHash32, storableText, type Hash32 } from "accountconfig/core";
import { LitApiError, LitNodeSimpleApiClient, ModeError, apiKeyTextHash, createClient } from "accountconfig/sdk";

export function packaged(): { all: readonly AccountConfigDeployment[]; hardhat: string | undefined; known: boolean } {
  return { all: deployments, hardhat: accountConfigAddress(31337n), known: deploymentFor(31337) !== undefined };
}

export function abiHasTransfer(): boolean {
  return new Interface(abi).getFunction("transferChainSecuredAccountOwnership") !== null;
}

export function coreHelpers(address: string): { alias: Hash32; valid: boolean; text: string } {
  const alias = chainSecuredHash(address);
  return { alias, valid: isHash32(alias), text: storableText("a\\u0000b") };
}

export interface WalletResult {
  apiKeyHash: string;
  alias: Hash32;
  exists: boolean;
  admin: string;
}

/** Sovereign (diamond) mode: a wallet of the EIP-1193 provider creates its account on-chain. */
export async function walletMode(eip1193: Eip1193Provider, signerIndex: number, baseUrl: string, diamondAddress: string): Promise<WalletResult> {
  const provider = new BrowserProvider(eip1193);
  const signer = await provider.getSigner(signerIndex);
  const client = new LitNodeSimpleApiClient({ baseUrl, mode: "sovereign", contractAddress: diamondAddress, signer });
  const created = await client.newChainSecuredAccount({ accountName: "packed app", accountDescription: "" });
  const diamond: IAccountConfig = IAccountConfig__factory.connect(diamondAddress, provider);
  const alias = chainSecuredHash(await signer.getAddress());
  return {
    apiKeyHash: created.api_key_hash,
    alias,
    exists: await diamond.accountExists(alias),
    admin: await diamond.getAccountWalletAddress(alias),
  };
}

export interface HttpResult {
  apiKeyHash: Hash32;
  chainId: number;
  groups: number;
  unknownKeyStatus: number;
  transferIsModeError: boolean;
}

/** API mode: the relayer's /core/v1 with an API key. */
export async function httpMode(baseUrl: string): Promise<HttpResult> {
  const { api_key } = await createClient(baseUrl).newAccount({ accountName: "packed app", accountDescription: "" });
  const client = createClient(baseUrl, { apiKey: api_key });
  const config = await client.getNodeChainConfig();
  const groups = await client.listGroups({ pageNumber: 0, pageSize: 10 });
  let unknownKeyStatus = 0;
  try {
    await createClient(baseUrl, { apiKey: "not a key of this relayer" }).listGroups({ pageNumber: 0, pageSize: 10 });
  } catch (e) {
    if (e instanceof LitApiError) unknownKeyStatus = e.status;
  }
  let transferIsModeError = false;
  try {
    await client.transferChainSecuredAccountOwnership({ newAdminWalletAddress: "0x0000000000000000000000000000000000000001" });
  } catch (e) {
    transferIsModeError = e instanceof ModeError;
  }
  return { apiKeyHash: apiKeyTextHash(api_key), chainId: config.chain_id, groups: groups.length, unknownKeyStatus, transferIsModeError };
}
`;

interface Consumer {
  packaged(): { all: readonly unknown[]; hardhat: string | undefined; known: boolean };
  abiHasTransfer(): boolean;
  coreHelpers(address: string): { alias: string; valid: boolean; text: string };
  walletMode(
    eip1193: unknown,
    signerIndex: number,
    baseUrl: string,
    diamondAddress: string,
  ): Promise<{ apiKeyHash: string; alias: string; exists: boolean; admin: string }>;
  httpMode(baseUrl: string): Promise<{
    apiKeyHash: string;
    chainId: number;
    groups: number;
    unknownKeyStatus: number;
    transferIsModeError: boolean;
  }>;
}

/** The listing recorded for the report: one line per installed package, then the size. */
function listing(app: PackedApp): string {
  const lines = app.tree.map((p) => `${p.location}@${p.version}`).sort();
  return `${lines.join("\n")}\n${app.tree.length} packages, ${(app.diskBytes / 1024 / 1024).toFixed(1)} MiB on disk (du -sk node_modules)\n`;
}

describe("the accountconfig package installed into an app", function () {
  this.timeout(PACKED_APP_TIMEOUT_MS);
  let app: PackedApp;
  let consumer: Consumer;

  before(async () => {
    app = await packedApp();
    fs.mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
    fs.writeFileSync(path.join(ROOT, "test-results", "package-install-tree.txt"), listing(app));
    console.log(`      installed: ${app.tree.length} packages, ${(app.diskBytes / 1024 / 1024).toFixed(1)} MiB (test-results/package-install-tree.txt)`);
    fs.writeFileSync(path.join(app.dir, "consumer.ts"), CONSUMER);
    fs.writeFileSync(
      path.join(app.dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "es2022",
          module: "node16",
          moduleResolution: "node16",
          strict: true,
          resolveJsonModule: true,
          esModuleInterop: true,
          skipLibCheck: false,
          types: [],
          lib: ["es2022", "dom"],
          outDir: "out",
        },
        files: ["consumer.ts"],
      }),
    );
  });

  it("installs no server package (isolated-vm, better-sqlite3, fastify, pg, stripe, hardhat)", () => {
    const names = new Set(app.tree.map((p) => p.name));
    expect(SERVER_PACKAGES.filter((n) => names.has(n))).to.deep.equal([]);
    expect([...names].filter((n) => n.startsWith("@fastify/") || n.startsWith("@nomicfoundation/"))).to.deep.equal([]);
  });

  it("installs the package with ethers v6 as its only runtime dependency", () => {
    const own = app.tree.find((p) => p.location === "accountconfig");
    expect(own?.version).to.equal(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version);
    const manifest = JSON.parse(fs.readFileSync(path.join(app.dir, "node_modules", "accountconfig", "package.json"), "utf8"));
    expect(Object.keys(manifest.dependencies ?? {})).to.deep.equal(["ethers"]);
    expect(app.tree.find((p) => p.location === "ethers")?.version).to.match(/^6\./);
  });

  it("type-checks a consumer of types, ABI, deployments, core and SDK with Node16 resolution", async () => {
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    try {
      await run(process.execPath, [tsc, "-p", app.dir], { cwd: app.dir });
    } catch (err) {
      throw new Error(`tsc failed:\n${(err as { stdout?: string }).stdout ?? String(err)}`);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    consumer = require(path.join(app.dir, "out", "consumer.js")) as Consumer;
    expect(consumer).to.have.property("walletMode");
  });

  it("imports every export by name from an ES module (Node's CommonJS named-export interop)", async () => {
    fs.writeFileSync(
      path.join(app.dir, "esm-consumer.mjs"),
      [
        `import { createClient, LitApiError } from "accountconfig/sdk";`,
        `import { chainSecuredHash } from "accountconfig/core";`,
        `import { IAccountConfig__factory } from "accountconfig/types";`,
        `import { deployments, accountConfigAddress } from "accountconfig/deployments";`,
        `import abi from "accountconfig/abi/AccountConfig.json" with { type: "json" };`,
        `console.log(JSON.stringify({`,
        `  client: typeof createClient, error: typeof LitApiError, factory: typeof IAccountConfig__factory.connect,`,
        `  alias: chainSecuredHash("0x0940e276fd22446e4234c5691ce8636eefd7b513"),`,
        `  deployments: Array.isArray(deployments), lookup: typeof accountConfigAddress, abi: Array.isArray(abi),`,
        `}));`,
        "",
      ].join("\n"),
    );
    const { stdout } = await run(process.execPath, ["--no-warnings", "esm-consumer.mjs"], { cwd: app.dir });
    expect(JSON.parse(stdout)).to.deep.equal({
      client: "function",
      error: "function",
      factory: "function",
      alias: "0x2c56775615e86f52e2907058f2a854cbedf0bf60db2163c83676735837f08927",
      deployments: true,
      lookup: "function",
      abi: true,
    });
  });

  describe("running the consumer", () => {
    let h: Harness;
    let baseUrl: string;

    before(async function () {
      if (consumer === undefined) this.skip(); // the type-check above failed and says why
      h = await startHarness();
      await h.relayer.app.listen({ host: "127.0.0.1", port: 0 });
      baseUrl = `http://127.0.0.1:${(h.relayer.app.server.address() as AddressInfo).port}`;
    });
    after(async () => {
      await h?.close();
    });

    it("exports the deployments the build found (hardhat-deploy's deployments directory)", () => {
      const expected = collectDeployments(config.paths.deployments);
      const got = consumer.packaged();
      expect(got.all).to.deep.equal(expected);
      expect(got.known).to.equal(expected.some((d) => d.chainId === 31337));
    });

    it("reads the combined ABI of every facet", () => {
      expect(consumer.abiHasTransfer()).to.equal(true);
    });

    it("hashes with the exported core helpers as src/core does", () => {
      const address = "0x0940e276fd22446e4234c5691ce8636eefd7b513";
      const got = consumer.coreHelpers(address);
      expect(got.alias).to.equal(ethers.solidityPackedKeccak256(["address"], [address]));
      expect(got.valid).to.equal(true);
      expect(got.text).to.equal("a\ufffdb");
    });

    it("creates a ChainSecured account in wallet mode through the app's BrowserProvider", async () => {
      const signers = await ethers.getSigners();
      const index = signers.length - 1; // a dev account no fixture uses
      const r = await consumer.walletMode(network.provider, index, baseUrl, h.f.diamondAddress);
      const alias = ethers.solidityPackedKeccak256(["address"], [signers[index].address]);
      expect(r).to.deep.equal({ apiKeyHash: alias, alias, exists: true, admin: signers[index].address });
    });

    it("creates an account and reads with its API key in HTTP mode against the relayer", async () => {
      const r = await consumer.httpMode(baseUrl);
      expect(r.chainId).to.equal(31337);
      expect(r.groups).to.equal(0);
      expect(r.unknownKeyStatus).to.equal(401);
      expect(r.transferIsModeError).to.equal(true);
      expect(await h.f.diamond.accountExists(r.apiKeyHash)).to.equal(true);
    });
  });
});
