/** batch:* tasks: several diamond calls in one transaction (BatchFacet.batchCalls). */
import * as fs from "fs";
import type { Interface } from "ethers";
import { InvalidArgument, decodeRevert, defineTask, optional, send, type DecodedEvent, type Json, type JsonObject } from "./lib/cli";

/** One entry of the --calls / --file JSON array. */
interface CallSpec {
  method: string;
  args: unknown[];
}

const CALLS_SHAPE = 'a JSON array of {"method": "<IAccountConfig function>", "args": [...]}';

/** The JSON text of --calls or --file (exactly one of them). */
function callsText(calls: string | undefined, file: string | undefined): { text: string; option: string } {
  const hasCalls = calls !== undefined && calls.trim() !== "";
  const hasFile = file !== undefined && file.trim() !== "";
  if (hasCalls === hasFile) throw new InvalidArgument(`give either --calls or --file (${CALLS_SHAPE})`);
  if (hasCalls) return { text: calls!, option: "--calls" };
  try {
    return { text: fs.readFileSync(file!.trim(), "utf8"), option: "--file" };
  } catch (error) {
    throw new InvalidArgument(`--file: cannot read "${file!.trim()}": ${(error as Error).message}`);
  }
}

/** Parses the JSON array of calls (the contract itself refuses an empty or nested batch). */
export function parseCalls(text: string, option: string): CallSpec[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgument(`${option}: expected ${CALLS_SHAPE}, got invalid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(value)) throw new InvalidArgument(`${option}: expected ${CALLS_SHAPE}`);
  return value.map((entry: unknown, i) => {
    const e = entry as { method?: unknown; args?: unknown };
    const where = `${option} entry ${i + 1}`;
    if (typeof entry !== "object" || entry === null || typeof e.method !== "string" || e.method.trim() === "") {
      throw new InvalidArgument(`${where}: expected {"method": "<IAccountConfig function>", "args": [...]}`);
    }
    if (e.args !== undefined && !Array.isArray(e.args)) throw new InvalidArgument(`${where}: "args" must be an array`);
    return { method: e.method.trim(), args: (e.args as unknown[] | undefined) ?? [] };
  });
}

/** ABI-encodes each call with the diamond's interface. */
export function encodeCalls(iface: Interface, calls: CallSpec[], option: string): string[] {
  return calls.map((c, i) => {
    const where = `${option} entry ${i + 1}`;
    let fragment;
    try {
      fragment = iface.getFunction(c.method);
    } catch (error) {
      throw new InvalidArgument(`${where}: ${(error as { shortMessage?: string }).shortMessage ?? (error as Error).message}`);
    }
    if (!fragment) throw new InvalidArgument(`${where}: "${c.method}" is not a function of IAccountConfig`);
    try {
      return iface.encodeFunctionData(fragment, c.args);
    } catch (error) {
      const message = (error as { shortMessage?: string }).shortMessage ?? (error as Error).message;
      throw new InvalidArgument(`${where} (${fragment.format("sighash")}): ${message}`);
    }
  });
}

defineTask({
  name: "batch:calls",
  description:
    'Send several diamond calls in one transaction (batchCalls), each with its own outcome: a failing call is rolled back alone and the others apply. --calls (or --file) is a JSON array of {"method", "args"} with IAccountConfig function names and raw ABI arguments (hashes as 0x hex, integers as decimal or 0x strings). Prints {calls: [{index, method, success, events} or, for a failure, {..., error, args}], failed, tx, block, gasUsed, events}; exits 0 once the transaction is mined, even if some calls failed. An empty batch reverts EmptyBatch, a nested one NestedBatch.',
  signer: "signer 0 (the owner); every call has exactly the signer's own authority, as if sent directly",
  params: {
    calls: optional(`${CALLS_SHAPE}, e.g. '[{"method":"addGroup","args":["0x<apiKeyHash>","name","",[],[]]}]'`),
    file: optional("path of a file holding the same JSON array (instead of --calls)"),
  },
  run: async (ctx, a) => {
    const { text, option } = callsText(a.calls, a.file);
    const specs = parseCalls(text, option);
    const data = encodeCalls(ctx.iface, specs, option);
    const result = await send(ctx, (d) => d.batchCalls(data));
    // BatchCallResult(index, success, revertData) closes call `index`: the events since the previous
    // BatchCallResult are that call's own.
    const calls: JsonObject[] = [];
    let own: DecodedEvent[] = [];
    for (const event of result.events) {
      if (event.name !== "BatchCallResult") {
        own.push(event);
        continue;
      }
      const index = Number(event.args.index);
      const entry: JsonObject = { index, method: specs[index]?.method ?? null, success: event.args.success === true };
      if (entry.success) {
        entry.events = own as DecodedEvent[] & Json[];
      } else {
        Object.assign(entry, decodeRevert(ctx.iface, String(event.args.revertData)));
      }
      calls.push(entry);
      own = [];
    }
    const failed = calls.filter((c) => c.success !== true).length;
    return { calls, failed, ...result };
  },
});
