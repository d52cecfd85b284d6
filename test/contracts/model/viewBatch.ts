/**
 * Batches many view calls to the diamond into one eth_call, so the model-based test can compare
 * hundreds of views after every step. Each JSON-RPC round trip through the in-process Hardhat
 * network costs about as much as the EVM work of dozens of views; one round trip per ~100 views
 * makes the per-step check roughly ten times cheaper.
 *
 * The batcher is a test-only helper compiled here with the project's pinned solc (npm "solc") and
 * placed with hardhat_setCode at a fixed address: the contracts under test are untouched, and the
 * views run as ordinary STATICCALLs in the same block context. Their msg.sender is the batcher,
 * which only accountExistsAndIsMutable reads (it answers for the caller; the batcher may write no
 * account, so it always gets false; the harness asks it per signer separately).
 */
import { ethers, network } from "hardhat";
import { AbiCoder, concat, type FunctionFragment, type Interface } from "ethers";

const SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Test helper: runs each call as a STATICCALL to target and returns success flags and return data.
contract ViewBatch {
    function run(address target, bytes[] calldata calls) external view returns (bool[] memory oks, bytes[] memory rets) {
        oks = new bool[](calls.length);
        rets = new bytes[](calls.length);
        for (uint256 i; i < calls.length; ++i) {
            (oks[i], rets[i]) = target.staticcall(calls[i]);
        }
    }
}
`;

/** Where the batcher lives (an address nothing else uses). */
export const BATCH_ADDRESS = "0x00000000000000000000000000000000000ba7c4";
const BATCH_ABI = new ethers.Interface([
  "function run(address target, bytes[] calls) view returns (bool[] oks, bytes[] rets)",
]);
/** Calls per eth_call: keeps every batch well below the call gas limit. */
const CHUNK = 120;

let runtimeCode: string | undefined;

function compile(): string {
  if (runtimeCode) return runtimeCode;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { compile(input: string): string };
  const input = {
    language: "Solidity",
    sources: { "ViewBatch.sol": { content: SOURCE } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "cancun",
      outputSelection: { "*": { ViewBatch: ["evm.deployedBytecode.object"] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<string, Record<string, { evm: { deployedBytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  runtimeCode = `0x${output.contracts!["ViewBatch.sol"].ViewBatch.evm.deployedBytecode.object}`;
  return runtimeCode;
}

/** Put the batcher in place (needed after every loadFixture, which reverts state to a snapshot). */
export async function installViewBatch(): Promise<void> {
  await network.provider.send("hardhat_setCode", [BATCH_ADDRESS, compile()]);
}

type Decoded = ReturnType<Interface["decodeFunctionResult"]>;

const CODER = AbiCoder.defaultAbiCoder();
/**
 * The fragment and selector of a view by name, looked up once per interface: Interface's lookup by
 * name and FunctionFragment.selector (a keccak256 on every read) cost more than the EVM work of the
 * views when a step checks hundreds of them. Encoding with them gives the bytes encodeFunctionData gives.
 */
const fragments = new WeakMap<Interface, Map<string, { fragment: FunctionFragment; selector: string }>>();
function functionOf(iface: Interface, fn: string): { fragment: FunctionFragment; selector: string } {
  let byName = fragments.get(iface);
  if (!byName) fragments.set(iface, (byName = new Map()));
  let entry = byName.get(fn);
  if (!entry) {
    const fragment = iface.getFunction(fn);
    if (!fragment) throw new Error(`no function ${fn} in the interface`);
    entry = { fragment, selector: fragment.selector };
    byName.set(fn, entry);
  }
  return entry;
}

interface Queued {
  fn: string;
  fragment: FunctionFragment;
  data: string;
  then: (r: Decoded) => void;
}

/**
 * Queue view calls with a callback each; flush() runs them (one eth_call per CHUNK calls) and then
 * invokes the callbacks in queue order, so a callback may rely on data gathered by earlier ones.
 * A reverting view is an error (these views do not revert for the inputs the tests use).
 */
export class ViewBatch {
  private queue: Queued[] = [];

  constructor(
    private readonly iface: Interface,
    private readonly target: string,
  ) {}

  add(fn: string, args: readonly unknown[], then: (r: Decoded) => void): void {
    const { fragment, selector } = functionOf(this.iface, fn);
    this.queue.push({ fn, fragment, data: concat([selector, CODER.encode(fragment.inputs, args)]), then });
  }

  async flush(): Promise<void> {
    const queue = this.queue;
    this.queue = [];
    const results: Decoded[] = [];
    for (let start = 0; start < queue.length; start += CHUNK) {
      const chunk = queue.slice(start, start + CHUNK);
      const data = BATCH_ABI.encodeFunctionData("run", [this.target, chunk.map((q) => q.data)]);
      const raw = (await network.provider.send("eth_call", [{ to: BATCH_ADDRESS, data }, "latest"])) as string;
      const [oks, rets] = BATCH_ABI.decodeFunctionResult("run", raw) as unknown as [boolean[], string[]];
      chunk.forEach((q, i) => {
        if (!oks[i]) {
          const err = rets[i] !== "0x" ? this.iface.parseError(rets[i]) : null;
          throw new Error(`view ${q.fn} reverted: ${err ? `${err.name}(${err.args.join(", ")})` : rets[i]}`);
        }
        results.push(this.iface.decodeFunctionResult(q.fragment, rets[i]));
      });
    }
    queue.forEach((q, i) => q.then(results[i]));
  }
}
