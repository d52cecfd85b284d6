/**
 * The SDK as apps consume it: `accountconfig/sdk` through package.json "exports" (Node16
 * resolution), compiled to dist/sdk by tsconfig.sdk.json (npm run build runs it). Type-checks a
 * consumer and runs it against a stub fetch.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const CONSUMER = `import {
  createClient,
  apiKeyTextHash,
  chainSecuredHash,
  HttpTransport,
  LitApiError,
  ModeError,
  type AccountOperations,
  type Hash32,
  type NodeChainConfig,
  type FetchLike,
} from "accountconfig/sdk";

export function hashes(): { key: Hash32; alias: Hash32 } {
  return { key: apiKeyTextHash("k"), alias: chainSecuredHash("0x0940e276fd22446e4234c5691ce8636eefd7b513") };
}

export function operations(): AccountOperations {
  return createClient("http://relayer.invalid", { fetch: async () => { throw new Error("unused"); } });
}

export const transportIsExported: boolean = typeof HttpTransport === "function";

export async function run(fetchImpl: FetchLike): Promise<{ config: NodeChainConfig; status: number; mode: boolean }> {
  const client = createClient("http://relayer.invalid", { fetch: fetchImpl, apiKey: "k" });
  const config = await client.getNodeChainConfig();
  let status = 0;
  try {
    await client.listGroups({ pageNumber: 0, pageSize: 10 });
  } catch (e) {
    if (e instanceof LitApiError) status = e.status;
  }
  let mode = false;
  try {
    await client.transferChainSecuredAccountOwnership({ newAdminWalletAddress: "0x0000000000000000000000000000000000000001" });
  } catch (e) {
    mode = e instanceof ModeError;
  }
  return { config, status, mode };
}
`;

describe("SDK package export (accountconfig/sdk)", () => {
  let app: string;

  before(function () {
    this.timeout(300_000);
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    execFileSync(process.execPath, [tsc, "-p", path.join(ROOT, "tsconfig.sdk.json")], { cwd: ROOT, stdio: "pipe" });
    app = fs.mkdtempSync(path.join(os.tmpdir(), "accountconfig-sdk-app-"));
    fs.mkdirSync(path.join(app, "node_modules"));
    fs.symlinkSync(ROOT, path.join(app, "node_modules", "accountconfig"), "dir");
    fs.symlinkSync(path.join(ROOT, "node_modules", "ethers"), path.join(app, "node_modules", "ethers"), "dir");
    fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
    fs.writeFileSync(path.join(app, "consumer.ts"), CONSUMER);
    fs.writeFileSync(
      path.join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "es2022",
          module: "node16",
          moduleResolution: "node16",
          strict: true,
          esModuleInterop: true,
          skipLibCheck: true,
          types: [],
          lib: ["es2022", "dom"],
          outDir: "out",
        },
        files: ["consumer.ts"],
      }),
    );
    execFileSync(process.execPath, [tsc, "-p", app], { cwd: app, stdio: "pipe" });
  });

  after(() => {
    if (app) fs.rmSync(app, { recursive: true, force: true });
  });

  it("type-checks, compiles and runs an app importing accountconfig/sdk", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const consumer = require(path.join(app, "out", "consumer.js")) as {
      run(f: unknown): Promise<{ config: { chain_id: number }; status: number; mode: boolean }>;
      hashes(): { key: string; alias: string };
      transportIsExported: boolean;
    };
    const stub = async (url: string) => {
      const ok = url.endsWith("/get_node_chain_config");
      const body = ok
        ? {
            chain_name: "hardhat",
            chain_id: 31337,
            is_evm: true,
            testnet: true,
            token: "ETH",
            contract_address: "0x" + "1".repeat(40),
          }
        : { error: "unknown or removed API key", code: "InvalidApiKey", request_id: "r" };
      return { status: ok ? 200 : 401, headers: { get: () => null }, text: async () => JSON.stringify(body) };
    };
    const r = await consumer.run(stub);
    expect(consumer.hashes()).to.deep.equal({
      key: "0xf3d0adcb6a1c70832365e9da0a6b2f5199422f6a53c67cfad171114e3442aa0f", // keccak256(utf8("k"))
      alias: "0x2c56775615e86f52e2907058f2a854cbedf0bf60db2163c83676735837f08927",
    });
    expect(consumer.transportIsExported).to.equal(true);
    expect(r.config.chain_id).to.equal(31337);
    expect(r.status).to.equal(401);
    expect(r.mode).to.equal(true);
  });
});
