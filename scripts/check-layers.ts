/**
 * The dependency rule of src/ (docs/architecture.md), run by `npm run lint` (lint:layers).
 *
 * Reads every TypeScript file under src/, resolves its relative imports, and fails (exit 1,
 * one line per violation) when:
 *  - a module imports from a layer it may not reach (see RULES: an upward import, or a
 *    downward one that bypasses the ports, src/relayer/ports/);
 *  - SQL text appears outside src/relayer/store/;
 *  - the files form an import cycle (type-only imports included: a cycle of types is still
 *    two modules that cannot be understood apart).
 *
 * Usage: `node --require ts-node/register/transpile-only scripts/check-layers.ts [root]`.
 * The pure part (`checkLayers`) is exported for its test (test/scripts/check-layers.test.ts).
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/** A layer: the files it holds (prefix of the path relative to src/) and what it may import. */
export interface Layer {
  readonly name: string;
  /** Path prefixes (relative to src/, forward slashes) of the files in this layer. */
  readonly holds: readonly string[];
  /** Names of the layers (besides itself) this layer may import from. */
  readonly mayImport: readonly string[];
}

/**
 * From the bottom up. A layer may import its own files and the layers it names; nothing else.
 * Services and HTTP reach storage and the chain only through ports/ (the Lit Action runtime is
 * the services' own execution engine); the composition root (main.ts and the set-up modules
 * beside it) wires the concrete parts. Settings and the facts they default from (the chains'
 * finality table, the payers' keys, the Lit Action limits) sit in the config layer.
 */
export const RULES: readonly Layer[] = [
  { name: "core", holds: ["core/"], mayImport: [] },
  { name: "sdk", holds: ["sdk/"], mayImport: ["core"] },
  { name: "ports", holds: ["relayer/ports/"], mayImport: ["core"] },
  // Small Node.js helpers the relayer's layers share (how a worker thread starts), importing nothing.
  { name: "util", holds: ["relayer/util/"], mayImport: [] },
  // Settings and the facts they default from: the chains' finality table, the payers' keys.
  {
    name: "config",
    holds: [
      "relayer/config.ts",
      "relayer/env-reader.ts",
      "relayer/chain-settings.ts",
      "relayer/key-settings.ts",
      "relayer/lit-action-settings.ts",
      "relayer/billing-settings.ts",
      "relayer/env-file.ts",
      "relayer/chain/finality.ts",
      "relayer/payer-keys.ts",
      "relayer/lit-runtime/limits.ts",
      "relayer/lit-runtime/limit-names.ts",
    ],
    mayImport: ["core", "ports"],
  },
  { name: "store", holds: ["relayer/store/"], mayImport: ["core", "ports", "util", "config"] },
  { name: "chain", holds: ["relayer/chain/"], mayImport: ["core", "ports", "util", "config"] },
  { name: "lit-runtime", holds: ["relayer/lit-runtime/"], mayImport: ["core", "ports", "util", "config"] },
  { name: "payments", holds: ["relayer/payments/"], mayImport: ["core", "ports", "util", "config"] },
  // The Lit Action runtime is the services' execution engine, one implementation with no
  // alternative behind a port: the lit_action service uses it directly (never the reverse).
  { name: "services", holds: ["relayer/services/"], mayImport: ["core", "ports", "util", "config", "lit-runtime"] },
  { name: "http", holds: ["relayer/http/"], mayImport: ["core", "ports", "util", "config", "services"] },
  {
    name: "root",
    holds: ["relayer/"],
    mayImport: ["core", "ports", "util", "config", "store", "chain", "lit-runtime", "payments", "services", "http"],
  },
];

/** SQL statements in a string: the shapes a query starts with. */
const SQL = /\b(SELECT\s+[\w*"(]|INSERT\s+INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|CREATE\s+(TABLE|INDEX|UNIQUE)\b|ALTER\s+TABLE\b)/;

export interface SourceFile {
  /** Path relative to src/, forward slashes. */
  readonly file: string;
  readonly text: string;
}

export interface Violation {
  readonly kind: "layer" | "sql" | "cycle" | "unknown-layer";
  readonly file: string;
  readonly message: string;
}

/** The layer a file belongs to: the one with the longest matching prefix. */
export function layerOf(file: string, rules: readonly Layer[] = RULES): Layer | undefined {
  let best: Layer | undefined;
  let bestLength = -1;
  for (const layer of rules) {
    for (const prefix of layer.holds) {
      const matches = prefix.endsWith("/") ? file.startsWith(prefix) : file === prefix;
      if (matches && prefix.length > bestLength) {
        best = layer;
        bestLength = prefix.length;
      }
    }
  }
  return best;
}

/** Relative imports of a file (static imports, re-exports, dynamic import() and require()). */
export function importsOf(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((f) => f.fileName).filter((name) => name.startsWith("."));
}

/** String literals and template texts of a file (comments are not code). */
function stringsOf(text: string): string[] {
  const source = ts.createSourceFile("x.ts", text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) found.push(node.text);
    else if (ts.isTemplateExpression(node)) {
      found.push(node.head.text + node.templateSpans.map((s) => " ? " + s.literal.text).join(""));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function resolve(from: string, spec: string, known: ReadonlySet<string>): string | undefined {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) {
    if (known.has(candidate)) return candidate;
  }
  return undefined;
}

/** Strongly connected components with more than one file, or a file importing itself. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v);
  return found;
}

/** Every violation of the rule in a set of source files. */
export function checkLayers(files: readonly SourceFile[], rules: readonly Layer[] = RULES): Violation[] {
  const known = new Set(files.map((f) => f.file));
  const graph = new Map<string, string[]>();
  const violations: Violation[] = [];
  for (const { file, text } of files) {
    const layer = layerOf(file, rules);
    if (!layer) {
      violations.push({ kind: "unknown-layer", file, message: `${file} belongs to no layer of the rule` });
      continue;
    }
    const edges: string[] = [];
    for (const spec of importsOf(text)) {
      const target = resolve(file, spec, known);
      if (!target) continue; // outside src/ (typechain-types, package.json): not a layer of ours
      edges.push(target);
      const to = layerOf(target, rules);
      if (to && to !== layer && !layer.mayImport.includes(to.name)) {
        violations.push({
          kind: "layer",
          file,
          message: `${file} (${layer.name}) imports ${target} (${to.name}); ${layer.name} may import ${
            layer.mayImport.length ? layer.mayImport.join(", ") : "nothing"
          } besides itself`,
        });
      }
    }
    graph.set(file, edges);
    if (!file.startsWith("relayer/store/")) {
      const sql = stringsOf(text).find((s) => SQL.test(s));
      if (sql !== undefined) {
        violations.push({
          kind: "sql",
          file,
          message: `${file} holds SQL ("${sql.trim().slice(0, 60)}"); SQL belongs under src/relayer/store/`,
        });
      }
    }
  }
  for (const component of cycles(graph)) {
    violations.push({ kind: "cycle", file: component[0]!, message: `import cycle: ${component.join(" <-> ")}` });
  }
  return violations;
}

function listFiles(dir: string, root: string): SourceFile[] {
  const out: SourceFile[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, root));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
      out.push({ file: path.relative(root, full).split(path.sep).join("/"), text: fs.readFileSync(full, "utf8") });
    }
  }
  return out;
}

if (require.main === module) {
  const root = path.resolve(process.argv[2] ?? path.join(__dirname, "..", "src"));
  const files = listFiles(root, root);
  const violations = checkLayers(files);
  for (const v of violations) console.error(`${v.kind}: ${v.message}`);
  if (violations.length > 0) {
    console.error(`check-layers: ${violations.length} violation(s) in ${files.length} files`);
    process.exit(1);
  }
  console.log(`check-layers: ${files.length} files, no violation`);
}
