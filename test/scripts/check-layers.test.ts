import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { checkLayers, layerOf, type SourceFile } from "../../scripts/check-layers";

const file = (name: string, text: string): SourceFile => ({ file: name, text });

describe("dependency rule (scripts/check-layers.ts)", () => {
  it("places a file in the layer of its longest matching prefix", () => {
    expect(layerOf("relayer/services/groups.ts")?.name).to.equal("services");
    expect(layerOf("relayer/main.ts")?.name).to.equal("root");
    expect(layerOf("relayer/chain/finality.ts")?.name).to.equal("config");
    expect(layerOf("relayer/chain/indexer.ts")?.name).to.equal("chain");
    expect(layerOf("relayer/ports/ledger.ts")?.name).to.equal("ports");
  });

  it("accepts a service that reaches storage through the ports folder (ports/index.ts)", () => {
    const violations = checkLayers([
      file("relayer/ports/ledger.ts", "export interface Ledger {}"),
      file("relayer/ports/index.ts", 'export * from "./ledger";'),
      file("relayer/services/billing.ts", 'import type { Ledger } from "../ports";'),
    ]);
    expect(violations).to.deep.equal([]);
  });

  it("refuses a service that imports the store directly", () => {
    const violations = checkLayers([
      file("relayer/store/ledger.ts", "export class SqlLedger {}"),
      file("relayer/services/billing.ts", 'import { SqlLedger } from "../store/ledger";'),
    ]);
    expect(violations.map((v) => v.kind)).to.deep.equal(["layer"]);
    expect(violations[0]!.message).to.contain("relayer/services/billing.ts (services) imports relayer/store/ledger.ts (store)");
  });

  it("accepts the store and the Lit Action runtime sharing a helper of util", () => {
    const violations = checkLayers([
      file("relayer/util/worker-thread.ts", "export function startThread(): void {}"),
      file("relayer/store/wal-checkpointer.ts", 'import { startThread } from "../util/worker-thread";'),
      file("relayer/lit-runtime/worker-source.ts", 'import { startThread } from "../util/worker-thread";'),
    ]);
    expect(violations).to.deep.equal([]);
  });

  it("refuses a helper of util that imports another layer", () => {
    const violations = checkLayers([
      file("relayer/ports/index.ts", "export interface Ledger {}"),
      file("relayer/util/worker-thread.ts", 'import type { Ledger } from "../ports";'),
    ]);
    expect(violations.map((v) => `${v.kind} ${v.file}`)).to.deep.equal(["layer relayer/util/worker-thread.ts"]);
  });

  it("refuses an upward import from the store into services", () => {
    const violations = checkLayers([
      file("relayer/services/values.ts", "export const x = 1;"),
      file("relayer/store/db.ts", 'export { x } from "../services/values";'),
    ]);
    expect(violations.map((v) => v.kind)).to.deep.equal(["layer"]);
  });

  it("refuses SQL outside the store, in plain and template strings", () => {
    const violations = checkLayers([
      file("relayer/services/a.ts", 'const q = "SELECT id FROM t WHERE x = $1";'),
      file("relayer/services/b.ts", "const q = `DELETE FROM t WHERE id = ${1}`;"),
      file("relayer/store/c.ts", 'const q = "INSERT INTO t (a) VALUES ($1)";'),
    ]);
    expect(violations.map((v) => `${v.kind} ${v.file}`)).to.deep.equal(["sql relayer/services/a.ts", "sql relayer/services/b.ts"]);
  });

  it("does not take SQL words in comments or prose for SQL", () => {
    const violations = checkLayers([file("relayer/services/a.ts", '// SELECT * FROM t\nconst s = "select a group to update";')]);
    expect(violations).to.deep.equal([]);
  });

  it("refuses an import cycle, type-only imports included", () => {
    const violations = checkLayers([
      file("relayer/store/index.ts", 'export * from "./ledger";'),
      file("relayer/store/ledger.ts", 'import type { Migration } from "./index";'),
    ]);
    expect(violations.map((v) => v.kind)).to.deep.equal(["cycle"]);
    expect(violations[0]!.message).to.contain("relayer/store/index.ts <-> relayer/store/ledger.ts");
  });

  it("refuses a file that belongs to no layer", () => {
    const violations = checkLayers([file("elsewhere/x.ts", "export {};")]);
    expect(violations.map((v) => v.kind)).to.deep.equal(["unknown-layer"]);
  });

  it("finds no violation in this repository's src/", () => {
    const root = path.join(__dirname, "..", "..", "src");
    const list = (dir: string): SourceFile[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) return list(full);
        if (!e.name.endsWith(".ts") || e.name.endsWith(".d.ts")) return [];
        return [{ file: path.relative(root, full).split(path.sep).join("/"), text: fs.readFileSync(full, "utf8") }];
      });
    expect(checkLayers(list(root)).map((v) => v.message)).to.deep.equal([]);
  });
});
