/**
 * Runs the SDK example of README.md ("ChainSecured mode and the SDK", between the sdk-example
 * markers) against a real relayer on HTTP and the in-process chain, so the documented create,
 * convert and transfer flow keeps working.
 */
import { expect } from "chai";
import fs from "fs";
import path from "path";
import { ethers } from "hardhat";
import type { Signer } from "ethers";
import { listeningRelayer } from "./listening-relayer";

const ROOT = path.resolve(__dirname, "..", "..");

function exampleSource(): string {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const m = /<!-- sdk-example:start -->\s*```ts\n([\s\S]*?)```\s*<!-- sdk-example:end -->/.exec(readme);
  if (m === null) throw new Error("README.md: no sdk-example block");
  return m[1];
}

describe("README: the ChainSecured SDK example runs", function () {
  this.timeout(180_000);
  const server = listeningRelayer();
  let file: string;

  before(async () => {
    const dir = path.join(ROOT, "cache", "readme-sdk-example");
    fs.mkdirSync(dir, { recursive: true });
    file = path.join(dir, `example-${process.pid}.ts`);
    const sdk = path
      .relative(dir, path.join(ROOT, "src", "sdk"))
      .split(path.sep)
      .join("/");
    fs.writeFileSync(file, exampleSource().replace(/from "accountconfig\/sdk"/g, `from "${sdk}"`));
  });
  after(async () => {
    if (file) fs.rmSync(file, { force: true });
  });

  it("creates, converts and transfers as documented", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const example = require(file) as {
      chainSecuredExample(
        baseUrl: string,
        a: Signer,
        b: Signer,
        c: Signer,
      ): Promise<{
        created: { wallet_address: string; api_key_hash: string };
        pkp: { wallet_address: string };
        converted: { api_key_hash: string; wallet_address: string };
        usage: { usage_api_key: string };
        moved: { previous_admin: string; new_admin: string; api_key_hash: string };
        groups: { id: string; name: string }[];
      }>;
    };
    const [founder, newAdmin, nextAdmin] = server.harness.f.users.slice(10);
    const r = await example.chainSecuredExample(server.baseUrl, founder, newAdmin, nextAdmin);
    const d = server.harness.f.diamond;
    expect((await d.getAccount(r.created.api_key_hash)).adminWalletAddress).to.equal(founder.address);
    expect(await d.getWalletDerivation(r.created.api_key_hash, r.pkp.wallet_address)).to.not.equal(0n);
    expect(r.converted.wallet_address).to.equal(newAdmin.address.toLowerCase());
    expect(r.moved).to.include({
      previous_admin: newAdmin.address.toLowerCase(),
      new_admin: nextAdmin.address.toLowerCase(),
      api_key_hash: r.converted.api_key_hash,
    });
    const account = await d.getAccount(r.converted.api_key_hash);
    expect(account.adminWalletAddress).to.equal(nextAdmin.address);
    expect(account.managed).to.equal(false);
    expect(r.groups.map((g) => g.name)).to.deep.equal(["runners"]);
    const usageHash = ethers.keccak256(ethers.toUtf8Bytes(r.usage.usage_api_key));
    expect((await d.resolveApiKeyHash(usageHash)).master).to.equal(BigInt(r.converted.api_key_hash));
  });
});
