/**
 * Text that a database refuses never gets past the HTTP layer (docs/relayer-untrusted-input.md, "Text
 * a database refuses"). Two checks, each in one place for every endpoint:
 *
 * - the raw body of a JSON (or text/plain) request must be valid UTF-8: an invalid byte sequence,
 *   e.g. the over-long encoding C0 80 of NUL, is 400 `InvalidUtf8` (instead of being silently
 *   turned into U+FFFD by the decoder);
 * - every value that the endpoint's schema declares as a string (body, query, headers, nested in
 *   objects and arrays) must be storable text: a NUL (U+0000, which Postgres refuses in text) or a
 *   lone UTF-16 surrogate (which has no UTF-8 encoding) is 400 `InvalidText` naming the field.
 *   Values the schema leaves open (`js_params`, the wallet-signature typed data) are data, not
 *   text fields, and pass unchanged.
 */
import { isUtf8 } from "buffer";
import type { TSchema } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { unstorableText } from "../../core";
import { ServiceError } from "../services/errors";

interface SchemaNode {
  type?: unknown;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode | SchemaNode[];
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function declaresString(node: SchemaNode): boolean {
  if (node.type === "string" || (Array.isArray(node.type) && node.type.includes("string"))) return true;
  // No spread into a new array: this runs for every string field of every request body.
  return (node.anyOf?.some(declaresString) ?? false) || (node.oneOf?.some(declaresString) ?? false);
}

function inBranches(branches: SchemaNode[] | undefined, value: unknown, field: string): { field: string; problem: string } | null {
  if (branches === undefined) return null;
  for (const branch of branches) {
    const found = findUnstorableText(branch as TSchema, value, field);
    if (found !== null) return found;
  }
  return null;
}

/** The first schema-declared string in `value` that is not storable text: its field and the problem. */
export function findUnstorableText(schema: TSchema, value: unknown, field: string): { field: string; problem: string } | null {
  const node = schema as SchemaNode;
  if (typeof value === "string") {
    if (!declaresString(node)) return null;
    const problem = unstorableText(value);
    return problem === null ? null : { field, problem };
  }
  // No array built per node and no Object.entries below: this walks every request's input.
  const inBranch = inBranches(node.anyOf, value, field) ?? inBranches(node.oneOf, value, field);
  if (inBranch !== null) return inBranch;
  if (Array.isArray(value)) {
    const items = node.items;
    if (items === undefined) return null;
    for (let i = 0; i < value.length; i++) {
      const item = Array.isArray(items) ? items[i] : items;
      if (item === undefined) continue;
      const found = findUnstorableText(item as TSchema, value[i], `${field}[${i}]`);
      if (found !== null) return found;
    }
    return null;
  }
  const properties = node.properties;
  if (isObject(value) && properties !== undefined) {
    for (const key in properties) {
      if (!Object.hasOwn(properties, key) || !Object.hasOwn(value, key)) continue;
      const found = findUnstorableText(properties[key] as TSchema, value[key], field === "" ? key : `${field}.${key}`);
      if (found !== null) return found;
    }
  }
  return null;
}

/** The 400 for a field holding text a database refuses. */
export function invalidText(field: string, problem: string): ServiceError {
  return new ServiceError("InvalidValue", "InvalidText", `${field}: ${problem}`);
}

function invalidUtf8(): ServiceError {
  return new ServiceError(
    "InvalidValue",
    "InvalidUtf8",
    "request body is not valid UTF-8 (an invalid or over-long byte sequence): JSON text must be UTF-8",
  );
}

/**
 * Replaces fastify's JSON and text/plain body parsers by ones that read the raw bytes, refuse
 * invalid UTF-8 with 400, and then parse exactly as before (the JSON parser keeps fastify's
 * prototype-poisoning protection).
 */
export function installUtf8BodyParsers(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser(["application/json", "text/plain"]);
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request: FastifyRequest, body: Buffer, done) => {
    if (!isUtf8(body)) {
      done(invalidUtf8(), undefined);
      return;
    }
    parseJson(request, body.toString("utf8"), done);
  });
  app.addContentTypeParser("text/plain", { parseAs: "buffer" }, (_request: FastifyRequest, body: Buffer, done) => {
    if (!isUtf8(body)) {
      done(invalidUtf8(), undefined);
      return;
    }
    done(null, body.toString("utf8"));
  });
}
