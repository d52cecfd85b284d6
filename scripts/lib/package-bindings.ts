/**
 * The TypeChain bindings the `accountconfig` package ships: every binding except those of the
 * test-only contracts (contracts/test/, which package.json "files" leaves out as Solidity too:
 * "!contracts/test"). typechain-types/ keeps them for the repository's own tests; the package
 * build (scripts/build-package.ts) compiles tsconfig.build.json without them, reading the
 * bindings' index files with their imports and exports of test-only bindings removed.
 */
import fs from "fs";
import path from "path";
import type * as TS from "typescript";

/** Folders of test-only Solidity contracts, relative to the repository root. */
export const TEST_CONTRACT_DIRS: readonly string[] = ["contracts/test"];

/**
 * Whether `rel` (a path relative to typechain-types/, forward slashes, without or with an
 * extension) is a binding of a test-only contract, or the folder of them.
 */
export function isTestBinding(rel: string): boolean {
  const p = rel.replace(/^factories\//, "");
  return TEST_CONTRACT_DIRS.some((d) => p === d || p.startsWith(`${d}/`));
}

/** The names of the test-only contracts (their .sol file names), e.g. "ERC1271WalletTest". */
export function testContractNames(root: string): string[] {
  return TEST_CONTRACT_DIRS.flatMap((d) =>
    fs.existsSync(path.join(root, d))
      ? fs.readdirSync(path.join(root, d)).filter((f) => f.endsWith(".sol")).map((f) => f.slice(0, -4))
      : [],
  );
}

/**
 * `text`, the bindings file at `rel` (relative to typechain-types/), without the imports and
 * exports of test-only bindings, and without the re-exports of the names those imports bound.
 */
export function withoutTestBindings(ts: typeof TS, rel: string, text: string): string {
  const file = ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const dir = path.posix.dirname(rel);
  const dropped = new Set<string>();
  const cuts: [number, number][] = [];
  const fromTest = (spec: TS.Expression | undefined): boolean =>
    spec !== undefined && ts.isStringLiteral(spec) && spec.text.startsWith(".") && isTestBinding(path.posix.join(dir, spec.text));
  for (const s of file.statements) {
    if (ts.isImportDeclaration(s) && fromTest(s.moduleSpecifier)) {
      const b = s.importClause;
      if (b?.name) dropped.add(b.name.text);
      if (b?.namedBindings && ts.isNamespaceImport(b.namedBindings)) dropped.add(b.namedBindings.name.text);
      if (b?.namedBindings && ts.isNamedImports(b.namedBindings)) for (const e of b.namedBindings.elements) dropped.add(e.name.text);
      cuts.push([s.getStart(file), s.end]);
    } else if (ts.isExportDeclaration(s) && fromTest(s.moduleSpecifier)) {
      cuts.push([s.getStart(file), s.end]);
    } else if (
      ts.isExportDeclaration(s) &&
      s.moduleSpecifier === undefined &&
      s.exportClause !== undefined &&
      ts.isNamedExports(s.exportClause) &&
      s.exportClause.elements.length > 0 &&
      s.exportClause.elements.every((e) => dropped.has((e.propertyName ?? e.name).text))
    ) {
      cuts.push([s.getStart(file), s.end]);
    }
  }
  let out = text;
  for (const [start, end] of cuts.reverse()) {
    const eol = out[end] === "\n" ? end + 1 : end;
    out = out.slice(0, start) + out.slice(eol);
  }
  return out;
}

/**
 * Compiles `tsconfigFile` (tsconfig.build.json) as `tsc -p` does, but without the test-only
 * bindings under `bindingsDir`; throws with tsc's diagnostics on any error. Returns the files written.
 */
export function compileWithoutTestBindings(ts: typeof TS, tsconfigFile: string, bindingsDir: string): string[] {
  const format: TS.FormatDiagnosticsHost = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => path.dirname(tsconfigFile),
    getNewLine: () => "\n",
  };
  const config = ts.getParsedCommandLineOfConfigFile(tsconfigFile, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.formatDiagnostics([d], format));
    },
  });
  if (config === undefined) throw new Error(`cannot read ${tsconfigFile}`);
  const bindingPath = (f: string): string | null => {
    const rel = path.relative(bindingsDir, path.resolve(f));
    return rel.startsWith("..") || path.isAbsolute(rel) ? null : rel.split(path.sep).join("/");
  };
  const rootNames = config.fileNames.filter((f) => {
    const rel = bindingPath(f);
    return rel === null || !isTestBinding(rel);
  });
  const host = ts.createCompilerHost(config.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const rel = bindingPath(fileName);
    if (rel === null || rel.endsWith(".d.ts") || !fileName.endsWith(".ts")) return getSourceFile(fileName, languageVersion, onError, shouldCreate);
    const text = ts.sys.readFile(fileName);
    if (text === undefined) return undefined;
    return ts.createSourceFile(fileName, withoutTestBindings(ts, rel, text), languageVersion);
  };
  const written: string[] = [];
  const writeFile = host.writeFile;
  host.writeFile = (fileName, data, ...rest) => {
    written.push(fileName);
    writeFile(fileName, data, ...rest);
  };
  const program = ts.createProgram({ rootNames, options: config.options, host, configFileParsingDiagnostics: config.errors });
  const emitted = program.emit();
  const errors = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) throw new Error(ts.formatDiagnostics(errors, format));
  const leaked = program.getSourceFiles().map((s) => bindingPath(s.fileName)).filter((rel) => rel !== null && isTestBinding(rel));
  if (leaked.length > 0) throw new Error(`test-only bindings reached the package: ${leaked.join(", ")}`);
  return written;
}
