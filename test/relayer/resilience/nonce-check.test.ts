/**
 * The resilience tests' nonce check (support.expectGapFreeNonces) can fail: on a real `hardhat
 * node` with mining paused (an automining node refuses a gapped nonce outright, so no gap could
 * ever reach the check there), a transaction queued behind a nonce gap and a transaction sent but
 * not mined each make it fail; once the gap is filled and everything is mined it passes.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { devKey, expectGapFreeNonces, rpcCall, setMining, startChainNode, type ChainNode } from "./support";

async function rejectionOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected the check to fail");
}

describe("relayer resilience support: the nonce check fails on a gap or an unmined transaction", function () {
  this.timeout(180_000);
  let chain: ChainNode | undefined;
  // Dev accounts no other part of these tests uses.
  const gapped = new Wallet(devKey(11));
  const unmined = new Wallet(devKey(12));

  const send = async (w: Wallet, nonce: number): Promise<void> => {
    const raw = await w.signTransaction({
      type: 2,
      chainId: 31337,
      nonce,
      to: w.address,
      value: 1n,
      gasLimit: 21_000n,
      maxFeePerGas: 10n ** 11n,
      maxPriorityFeePerGas: 10n ** 9n,
    });
    await rpcCall(chain!.url, "eth_sendRawTransaction", [raw]);
  };
  const mine = () => rpcCall(chain!.url, "evm_mine");

  before(async () => {
    chain = await startChainNode();
    await setMining(chain.url, "paused");
  });

  after(async () => {
    await chain?.stop("SIGKILL");
  });

  it("fails when a transaction waits behind a nonce gap (pending and latest counts agree there)", async () => {
    await send(gapped, 0);
    await send(gapped, 2); // nonce 1 never sent
    await mine();
    const latest = await rpcCall(chain!.url, "eth_getTransactionCount", [gapped.address, "latest"]);
    expect(await rpcCall(chain!.url, "eth_getTransactionCount", [gapped.address, "pending"])).to.equal(latest);
    const err = await rejectionOf(expectGapFreeNonces(chain!.url, [gapped.address]));
    expect(err.message).to.match(/behind a nonce gap/);
    expect(err.message).to.contain("nonce 2");
  });

  it("fails when a transaction is sent and not mined", async () => {
    await send(unmined, 0);
    const err = await rejectionOf(expectGapFreeNonces(chain!.url, [unmined.address]));
    expect(err.message).to.match(/unmined/);
  });

  it("passes once the gap is filled and everything is mined", async () => {
    await send(gapped, 1);
    await mine();
    await mine();
    const next = await expectGapFreeNonces(chain!.url, [gapped.address, unmined.address]);
    expect([...next.values()]).to.deep.equal([3, 1]);
  });
});
