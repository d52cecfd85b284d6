/**
 * Payer check: whether the relayer's own payers can send writes at all, asked of the chain at
 * start-up and again periodically (docs/operator.md):
 *
 *  - registered: every api payer is in the diamond's api_payers() (or is its owner, whom the
 *    contract lets write too: LibAccess.isApiPayerOrOwner), and the admin payer is its
 *    adminApiPayerAccount();
 *  - funded: every api payer holds, beyond what its in-flight transactions may still cost, what
 *    one write of REFERENCE_WRITE_GAS costs at the current fee cap (L1 data fee included on
 *    OP-stack chains), and at least PAYER_MIN_BALANCE_ETH when set; with top-ups on (a rebalance
 *    amount above 0) the admin payer holds what one top-up costs (amount + fees + L1 data fee).
 *
 * While the check fails, the writer refuses every write before anything is signed, stored or sent
 * (PayersUnavailableError: 503 PayersNotRegistered / PayersUnfunded), /health reports `payers`
 * false and /ready false, and a log line names the addresses and the command that fixes it. The
 * check runs every `intervalMs` (every `failingIntervalMs` while it fails), at once when a write
 * is refused by the contract with OnlyApiPayerOrOwner or by the node for insufficient funds, and
 * (at most once a second) when a write arrives while it fails, so a fix is seen at once. An api
 * payer short of funds is first topped up from the admin payer when top-ups are on. A node that
 * cannot be reached changes nothing: the previous result stands (the writer reports the outage).
 */
import { formatEther, getAddress } from "ethers";
import { PayersUnavailableError, RevertError, type PayersProblem } from "../../ports";
import { DEFAULT_FUND_WEI, registerPayersCommand } from "../../payer-keys";
import { diamondInterface } from "../abi";
import { errorText, isTransportError, sendAll } from "../rpc";
import type { BalanceMonitor } from "./balances";
import type { WriterContext } from "./context";
import type { PayerPool } from "./payers";

/** The gas of the write a payer must be able to pay for (a typical write uses 150 000 - 700 000). */
export const REFERENCE_WRITE_GAS = 1_000_000n;

export interface PayerCheckOptions {
  /** How often the check runs while it passes (ms); default 60 000; 0: only at start-up and on demand (writes, refusals). */
  intervalMs?: number;
  /** How often it runs while it fails (ms); default the smaller of 5 000 and intervalMs (0 with intervalMs 0). */
  failingIntervalMs?: number;
  /** Least an api payer must hold beyond its in-flight costs (wei); never below one write's cost. */
  minPayerBalanceWei?: bigint;
}

/** One payer as the check saw it. */
export interface PayerStatus {
  /** Lowercase. */
  address: string;
  role: "payer" | "admin";
  registered: boolean;
  balance: bigint;
  /** Balance minus what its in-flight transactions may still cost. */
  available: bigint;
  /** What `available` must reach. */
  threshold: bigint;
  funded: boolean;
}

export interface PayerReport {
  ok: boolean;
  /** Registration is reported first: fixing it is the first step. */
  problem: PayersProblem | null;
  checkedAt: number;
  payers: PayerStatus[];
  /** Addresses not registered / not funded (lowercase). */
  unregistered: string[];
  unfunded: string[];
  /** For the operator (the log): what is wrong and the command that fixes it; "" when ok. */
  message: string;
  /** For clients (the 503 answer); "" when ok. */
  clientMessage: string;
  /** The command that registers and funds the payers; null when ok. */
  command: string | null;
}

/** What the chain said, for assessPayers. Addresses lowercase. */
export interface PayerFacts {
  chainId: bigint;
  diamond: string;
  payers: readonly string[];
  /** null: the relayer has no admin payer key (no top-ups), nothing to check. */
  admin: string | null;
  /** api_payers(), owner() and adminApiPayerAccount(); null when the diamond did not answer them. */
  onChain: { apiPayers: readonly string[]; owner: string; adminApiPayer: string } | null;
  funds: ReadonlyMap<string, { balance: bigint; reserved: bigint }>;
  payerThreshold: bigint;
  adminThreshold: bigint;
  checkedAt: number;
}

const eth = (wei: bigint): string => `${formatEther(wei)} ETH`;
const show = (address: string): string => getAddress(address);

/** The report for what the chain said (pure). */
export function assessPayers(f: PayerFacts): PayerReport {
  const registered = new Set((f.onChain?.apiPayers ?? []).map((a) => a.toLowerCase()));
  const owner = f.onChain?.owner.toLowerCase() ?? null;
  const statuses: PayerStatus[] = [];
  const add = (address: string, role: PayerStatus["role"], isRegistered: boolean, threshold: bigint): void => {
    const fund = f.funds.get(address) ?? { balance: 0n, reserved: 0n };
    const available = fund.balance - fund.reserved;
    statuses.push({ address, role, registered: isRegistered, balance: fund.balance, available, threshold, funded: available >= threshold });
  };
  for (const p of f.payers) add(p, "payer", f.onChain !== null && (registered.has(p) || p === owner), f.payerThreshold);
  if (f.admin !== null) add(f.admin, "admin", f.onChain !== null && f.onChain.adminApiPayer.toLowerCase() === f.admin, f.adminThreshold);

  const unregistered = statuses.filter((s) => !s.registered).map((s) => s.address);
  const unfunded = statuses.filter((s) => !s.funded).map((s) => s.address);
  const problem: PayersProblem | null = unregistered.length > 0 ? "PayersNotRegistered" : unfunded.length > 0 ? "PayersUnfunded" : null;
  const base = { ok: problem === null, problem, checkedAt: f.checkedAt, payers: statuses, unregistered, unfunded };
  if (problem === null) return { ...base, message: "", clientMessage: "", command: null };

  const payersShort = statuses.some((s) => s.role === "payer" && !s.funded);
  const adminShort = statuses.some((s) => s.role === "admin" && !s.funded);
  // Suggested amounts: ten times what is needed, at least 0.05 ETH.
  const suggest = (threshold: bigint): bigint => (threshold * 10n > DEFAULT_FUND_WEI ? threshold * 10n : DEFAULT_FUND_WEI);
  const command = registerPayersCommand({
    chainId: f.chainId,
    diamond: show(f.diamond),
    payers: f.payers.map(show),
    admin: f.admin === null ? null : show(f.admin),
    fundWei: payersShort ? suggest(f.payerThreshold) : null,
    fundAdminWei: adminShort ? suggest(f.adminThreshold) : null,
  });

  const parts: string[] = [];
  if (f.onChain === null) {
    parts.push(`the diamond ${show(f.diamond)} does not answer api_payers() / adminApiPayerAccount(): is DIAMOND_ADDRESS an AccountConfig diamond on chain ${f.chainId}?`);
  } else {
    const payersOut = statuses.filter((s) => s.role === "payer" && !s.registered).map((s) => show(s.address));
    if (payersOut.length > 0) parts.push(`api payer${payersOut.length > 1 ? "s" : ""} ${payersOut.join(", ")} not in the diamond's api_payers()`);
    if (statuses.some((s) => s.role === "admin" && !s.registered)) {
      parts.push(`admin payer ${show(f.admin ?? "")} is not its adminApiPayerAccount() (${show(f.onChain.adminApiPayer)})`);
    }
  }
  for (const s of statuses.filter((x) => !x.funded)) {
    const what = s.role === "admin" ? "one top-up" : "one write at the current fees";
    parts.push(`${s.role === "admin" ? "admin payer" : "api payer"} ${show(s.address)} holds ${eth(s.available)} beyond its in-flight costs, needs ${eth(s.threshold)} (${what})`);
  }
  const action =
    problem === "PayersNotRegistered"
      ? "register them, as the diamond's owner or config operator (a Safe owner: add --calldata and submit what it prints)"
      : "fund them (any account can; the command tops each up to the amount)";
  const message = `writes refused (503 ${problem}) on diamond ${show(f.diamond)}: ${parts.join("; ")}. To fix, ${action}: ${command}`;
  const at = (problem === "PayersNotRegistered" ? unregistered : unfunded).map(show).join(", ");
  const clientMessage =
    problem === "PayersNotRegistered"
      ? `the relayer's payers (${at}) are not registered on the diamond: writes are refused until its operator registers them; nothing was sent`
      : `the relayer's payers (${at}) cannot pay for writes: writes are refused until its operator funds them; nothing was sent`;
  return { ...base, message, clientMessage, command };
}

export interface PayerCheckDeps {
  /** Whether the writer's start-up recovery has run (the chain id is known). */
  ready(): boolean;
}

export class PayerCheck {
  private report: PayerReport | null = null;
  private running: Promise<PayerReport | null> | null = null;
  private lastAttempt = 0;
  private logged: { key: string; at: number } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private readonly intervalMs: number;
  private readonly failingIntervalMs: number;

  constructor(
    private readonly ctx: WriterContext,
    private readonly pool: PayerPool,
    private readonly balances: BalanceMonitor,
    private readonly deps: PayerCheckDeps,
    private readonly opts: PayerCheckOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 60_000;
    this.failingIntervalMs = opts.failingIntervalMs ?? Math.min(5000, this.intervalMs);
  }

  /** The latest report (null before the first check that reached the node). */
  current(): PayerReport | null {
    return this.report;
  }

  /** Whether the latest check passed. */
  ok(): boolean {
    return this.report?.ok === true;
  }

  /** Runs the check now (one at a time; callers during a run share it); keeps the last report when the node cannot be reached. */
  refresh(): Promise<PayerReport | null> {
    if (!this.running) {
      this.lastAttempt = Date.now();
      this.running = this.run().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  /**
   * Throws PayersUnavailableError unless the payers can send writes. With no report yet, or a
   * failed one older than a second, it checks first (a fix is seen by the next write).
   */
  async admit(): Promise<void> {
    if (this.report?.ok) return;
    if (this.report === null || Date.now() - this.lastAttempt >= 1000 || this.running) await this.refresh();
    const r = this.report;
    if (r !== null && !r.ok && r.problem !== null) {
      throw new PayersUnavailableError(r.problem, r.clientMessage, r.problem === "PayersNotRegistered" ? r.unregistered : r.unfunded);
    }
  }

  /**
   * A write failed with `err`. An OnlyApiPayerOrOwner revert means a payer lost its registration
   * (removed on-chain since the last check): check again now and answer with what the check says.
   * Anything else is returned unchanged.
   */
  async review(err: unknown): Promise<unknown> {
    if (!(err instanceof RevertError) || err.errorName !== "OnlyApiPayerOrOwner") return err;
    await this.refresh();
    const r = this.report;
    if (r !== null && !r.ok && r.problem !== null) {
      return new PayersUnavailableError(r.problem, r.clientMessage, r.problem === "PayersNotRegistered" ? r.unregistered : r.unfunded);
    }
    return err;
  }

  /** Checks again soon without waiting (the node said a payer cannot pay). */
  nudge(): void {
    if (this.deps.ready()) void this.refresh();
  }

  /** Starts the periodic check (the first run is the caller's: refresh()). */
  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped) return;
    const every = this.report?.ok ? this.intervalMs : this.failingIntervalMs;
    if (every <= 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const run = this.deps.ready() ? this.refresh() : Promise.resolve(null);
      void run.finally(() => this.schedule());
    }, every);
    this.timer.unref?.();
  }

  private async run(): Promise<PayerReport | null> {
    try {
      let facts = await this.gather();
      let report = assessPayers(facts);
      if (!report.ok && report.unregistered.length === 0 && (await this.topUp(report))) {
        facts = await this.gather();
        report = assessPayers(facts);
      }
      this.record(report);
      return report;
    } catch (err) {
      if (isTransportError(err)) {
        this.ctx.log.warn({ err: errorText(err) }, "payer check postponed (RPC unavailable); the last result stands");
      } else {
        this.ctx.log.error({ err: errorText(err) }, "payer check failed; the last result stands");
      }
      return this.report;
    }
  }

  /** Tops up short api payers from the admin payer when top-ups are on and it can pay; true when it sent any. */
  private async topUp(report: PayerReport): Promise<boolean> {
    const payersShort = report.payers.some((s) => s.role === "payer" && !s.funded);
    const admin = report.payers.find((s) => s.role === "admin");
    if (!payersShort || !admin?.funded || !this.pool.adminPayer) return false;
    if ((await this.balances.rebalanceAmount()) <= 0n) return false;
    const done = await this.balances.check();
    return done.length > 0;
  }

  private async gather(): Promise<PayerFacts> {
    const { ctx, pool } = this;
    const chainId = pool.chain;
    if (chainId === null) throw new Error("payer check before the writer's start-up");
    const call = (fn: "api_payers" | "owner" | "adminApiPayerAccount") => ({
      method: "eth_call",
      params: [{ to: ctx.diamond, data: diamondInterface.encodeFunctionData(fn, []) }, "latest"],
    });
    const [apiPayers, owner, adminApiPayer] = await sendAll(ctx.rpc, [call("api_payers"), call("owner"), call("adminApiPayerAccount")]);
    let onChain: PayerFacts["onChain"] = null;
    for (const r of [apiPayers, owner, adminApiPayer]) if (!r.ok && isTransportError(r.error)) throw r.error;
    if (apiPayers.ok && owner.ok && adminApiPayer.ok) {
      try {
        onChain = {
          apiPayers: (diamondInterface.decodeFunctionResult("api_payers", String(apiPayers.result))[0] as string[]).map((a) => a.toLowerCase()),
          owner: String(diamondInterface.decodeFunctionResult("owner", String(owner.result))[0]).toLowerCase(),
          adminApiPayer: String(diamondInterface.decodeFunctionResult("adminApiPayerAccount", String(adminApiPayer.result))[0]).toLowerCase(),
        };
      } catch {
        onChain = null; // no diamond (or not this one) at that address
      }
    }
    const funds = new Map<string, { balance: bigint; reserved: bigint }>();
    for (const f of await this.balances.funds()) funds.set(f.payer, { balance: f.balance, reserved: f.reserved });
    const writeCost = await this.balances.writeCostFor(REFERENCE_WRITE_GAS);
    const min = this.opts.minPayerBalanceWei ?? 0n;
    const amount = pool.adminPayer ? await this.balances.rebalanceAmount() : 0n;
    return {
      chainId,
      diamond: ctx.diamond,
      payers: pool.payers,
      admin: pool.adminPayer,
      onChain,
      funds,
      payerThreshold: writeCost > min ? writeCost : min,
      adminThreshold: amount > 0n ? await this.balances.topUpCost(amount) : 0n,
      checkedAt: Date.now(),
    };
  }

  /** Keeps the report and logs a change (and, while failing, a reminder every minute). */
  private record(report: PayerReport): void {
    const before = this.report;
    this.report = report;
    const key = report.ok ? "ok" : `${report.problem}:${report.unregistered.join(",")}:${report.unfunded.join(",")}`;
    const now = Date.now();
    if (report.ok) {
      if (before === null || !before.ok) {
        this.ctx.log.info({ payers: this.pool.payers, adminPayer: this.pool.adminPayer }, "api payers registered and funded: writes accepted");
      }
      this.logged = { key, at: now };
      return;
    }
    if (this.logged?.key === key && now - this.logged.at < 60_000) return;
    this.logged = { key, at: now };
    this.ctx.log.error(
      { problem: report.problem, unregistered: report.unregistered, unfunded: report.unfunded, command: report.command },
      report.message,
    );
  }
}
