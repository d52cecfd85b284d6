/**
 * The rehearsal's printed result: the headline table (writes answered, on chain, lost,
 * duplicated, index rows differing from a rebuild, longest recovery) with the verdict, then the
 * details it rests on (reorgs, deploy steps, faults injected, outbox).
 */
import type { FaultStats } from "../lib/rpc-fault-proxy";
import type { DeployStep } from "./deploy-scenario";
import type { WriteRecord } from "./load";
import type { ReorgResult } from "./reorgs";
import type { ChainTally, TableDifference } from "./verify";

export interface RehearsalOutcome {
  ledger: readonly WriteRecord[];
  tally: ChainTally;
  differences: readonly TableDifference[];
  reorgs: readonly ReorgResult[];
  deploySteps: readonly DeployStep[];
  proxy: FaultStats;
  outbox: readonly { kind: string; status: string; n: number; attempts: number }[];
  loadMs: number;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

const seconds = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : "not recovered");

export function rehearsalTable(o: RehearsalOutcome): { text: string; ok: boolean } {
  const answered = o.ledger.filter((w) => w.answered);
  const differing = o.differences.reduce((a, d) => a + d.onlyLive + d.onlyRebuilt, 0);
  const longest = o.reorgs.reduce((a, r) => Math.max(a, r.recoveryMs), 0);
  const recovered = o.reorgs.every((r) => Number.isFinite(r.recoveryMs));
  const ok = answered.length > 0 && o.tally.lost.length === 0 && o.tally.duplicated.length === 0 && differing === 0 && recovered;
  const latencies = answered.map((w) => w.latencyMs ?? 0).sort((a, b) => a - b);
  const p50 = latencies[Math.max(0, Math.ceil(latencies.length / 2) - 1)] ?? NaN;

  const kinds = [...new Set(o.ledger.map((w) => w.kind))];
  const byKind = kinds.map((k) => {
    const all = o.ledger.filter((w) => w.kind === k);
    return `${k} ${all.filter((w) => w.answered).length}/${all.length}`;
  });
  const unanswered = o.ledger.filter((w) => !w.answered);
  const statuses = new Map<number, number>();
  for (const w of unanswered) statuses.set(w.status, (statuses.get(w.status) ?? 0) + 1);

  const lines = [
    "## Rehearsal result",
    "",
    table(
      ["writes answered", "on chain", "lost", "duplicated", "index rows differing from a fresh rebuild", "longest recovery"],
      [[String(answered.length), String(o.tally.onChain), String(o.tally.lost.length), String(o.tally.duplicated.length), String(differing), seconds(longest)]],
    ),
    "",
    `Verdict: ${ok ? "**pass** (0 lost, 0 duplicated, 0 differing, every reorg recovered)" : "**FAIL**"}`,
    "",
    `Writes: ${o.ledger.length} sent in ${(o.loadMs / 1000).toFixed(0)} s (${byKind.join(", ")}; answered/sent), p50 answer ${p50} ms; ` +
      `not answered ${unanswered.length}${unanswered.length > 0 ? ` (last HTTP status: ${[...statuses].map(([s, n]) => `${s || "none"} x${n}`).join(", ")}; ${o.tally.unansweredOnChain} of them on the chain once)` : ""}.`,
    "",
    table(
      ["reorg depth", "fork block", "txs in dropped blocks (relayer's)", "recovery", "next write answered after (blocks)"],
      o.reorgs.map((r) => [String(r.depth), String(r.forkBlock), `${r.droppedTxs} (${r.droppedRows})`, seconds(r.recoveryMs), r.probeAnswered ? String(r.probeBlocks) : "not answered"]),
    ),
    "",
    table(
      ["deploy --network baseSepolia", "deployer txs", "diamondCut txs from the wallet", "time"],
      o.deploySteps.map((s) => [s.step, String(s.deployerTxs), String(s.walletCuts), seconds(s.ms)]),
    ),
    "",
    `Answers changed by a reorg: ${o.tally.idChanged.length} add_group answer(s) named a group id that the canonical chain gave another group ` +
      "(answered on inclusion, re-mined in another order; WRITE_CONFIRMATIONS makes an answer wait until it is deep enough).",
    `Faults injected by the proxy: ${o.proxy.requests} requests, ${o.proxy.answered429} answered 429, ${o.proxy.answered5xx} answered 5xx, ` +
      `${o.proxy.dropped} replies dropped, ${o.proxy.lagged} answered from a lagging head, ${o.proxy.logRangeErrors} eth_getLogs range/result errors.`,
    `Relayer outbox: ${o.outbox.map((r) => `${r.kind} ${r.status} ${r.n} (${r.attempts} attempts)`).join(", ")}; ` +
      `${o.ledger.filter((w) => w.keyed).length} writes sent with an Idempotency-Key, ${o.ledger.filter((w) => !w.keyed).length} without (batchable).`,
  ];
  for (const w of o.tally.lost.slice(0, 5)) lines.push(`- lost: ${w.kind} ${w.tag} (answered ${JSON.stringify(w.answer)})`);
  for (const w of o.tally.duplicated.slice(0, 5)) lines.push(`- duplicated: ${w.kind} ${w.tag}`);
  for (const d of o.differences) {
    lines.push(`- index table ${d.table}: ${d.onlyLive} row(s) only in the live index, ${d.onlyRebuilt} only in the rebuild`);
    for (const s of d.sample) lines.push(`  - ${s.slice(0, 240)}`);
  }
  return { text: lines.join("\n"), ok };
}
