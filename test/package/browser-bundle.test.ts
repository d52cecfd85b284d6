/**
 * The package in a browser bundle: the SDK, core helpers, bindings and deployments as installed
 * into an app (packed-app.ts), bundled by Rolldown (Vite's bundler, installed with the dashboard
 * workspace) for `platform: "browser"`, must import no Node built-in and leave no import
 * unresolved. The same check run on src/core/index.ts (which exports the Node-only key
 * derivation) shows it catches one.
 */
import { expect } from "chai";
import fs from "fs";
import { builtinModules } from "module";
import path from "path";
import { PACKED_APP_TIMEOUT_MS, ROOT, packedApp } from "./packed-app";

/** The part of Rolldown's API used here (Rolldown is ESM; Node 20.19+ can require it). */
interface RolldownApi {
  rolldown(options: {
    input: string;
    cwd: string;
    platform: "browser";
    logLevel: "warn";
    onLog(level: string, log: { code?: string; message: string }): void;
    plugins: Array<{ name: string; resolveId(source: string, importer: string | undefined): { id: string; external: true } | null }>;
  }): Promise<{ generate(o: { format: "esm" }): Promise<{ output: Array<{ code?: string }> }>; close(): Promise<void> }>;
}

const BUILTINS = new Set(builtinModules);

interface BundleReport {
  /** "<import> <- <importer>" for every Node built-in imported. */
  builtins: string[];
  unresolved: string[];
  bytes: number;
}

/** Bundles `input` for the browser and reports the Node built-ins and unresolved imports it met. */
async function bundleForBrowser(input: string): Promise<BundleReport> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { rolldown } = require("rolldown") as RolldownApi;
  const report: BundleReport = { builtins: [], unresolved: [], bytes: 0 };
  const bundle = await rolldown({
    input,
    cwd: path.dirname(input),
    platform: "browser",
    logLevel: "warn",
    onLog: (_level, log) => {
      if (log.code === "UNRESOLVED_IMPORT") report.unresolved.push(log.message);
    },
    plugins: [
      {
        name: "report-node-builtins",
        resolveId(source, importer) {
          const bare = source.startsWith("node:") ? source.slice("node:".length) : source;
          if (!source.startsWith("node:") && !BUILTINS.has(bare.split("/")[0])) return null;
          report.builtins.push(`${source} <- ${path.relative(ROOT, importer ?? "?")}`);
          return { id: source, external: true };
        },
      },
    ],
  });
  try {
    const { output } = await bundle.generate({ format: "esm" });
    report.bytes = output.reduce((n, chunk) => n + (chunk.code?.length ?? 0), 0);
  } finally {
    await bundle.close();
  }
  return report;
}

describe("the accountconfig package in a browser bundle", function () {
  this.timeout(PACKED_APP_TIMEOUT_MS);

  it("bundles the installed SDK, core, bindings and deployments with no Node built-in", async () => {
    const app = await packedApp();
    const entry = path.join(app.dir, "browser-entry.mjs");
    fs.writeFileSync(
      entry,
      [
        `export * as sdk from "accountconfig/sdk";`,
        `export * as core from "accountconfig/core";`,
        `export * as types from "accountconfig/types";`,
        `export { deployments } from "accountconfig/deployments";`,
        "",
      ].join("\n"),
    );
    const report = await bundleForBrowser(entry);
    expect(report.builtins, "Node built-ins imported").to.deep.equal([]);
    expect(report.unresolved, "unresolved imports").to.deep.equal([]);
    expect(report.bytes).to.be.greaterThan(0);
  });

  it("reports the Node built-in of src/core/index.ts (key derivation imports crypto)", async () => {
    const report = await bundleForBrowser(path.join(ROOT, "src", "core", "index.ts"));
    expect(report.builtins).to.include("crypto <- src/core/keys.ts");
  });
});
