/**
 * Request validation with the same TypeBox schemas that document the API. Bodies are checked
 * strictly (no type coercion: `"1"` is not a number, `1` is not a string); query strings and
 * headers, which are always text, have their integer and boolean fields converted first, exactly
 * (`"1.5"` and `"1e3"` stay text and fail). A mismatch is a ShapeError (422) naming the first
 * offending field. A value of the right shape whose string fields hold text a database refuses
 * (a NUL, a lone surrogate) is 400 `InvalidText` naming the field (text-input.ts).
 */
import type { TSchema } from "@sinclair/typebox";
import { TypeCompiler, type ValueError } from "@sinclair/typebox/compiler";
import type { FastifySchema, FastifySchemaCompiler } from "fastify";
import { findUnstorableText, invalidText } from "./text-input";

/** JSON of the wrong shape: missing field, wrong type, negative or non-integer u64. */
export class ShapeError extends Error {
  readonly statusCode = 422;
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "ShapeError";
  }
}

/** `/a/0/b` -> `a[0].b`; the root is named after the request part. */
export function fieldOf(path: string, part: string): string {
  if (path === "" || path === "/") return part;
  return path
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, s) => (/^[0-9]+$/.test(s) ? `${acc}[${s}]` : acc === "" ? s : `${acc}.${s}`), "");
}

function describe(error: ValueError, part: string): ShapeError {
  const field = fieldOf(error.path, part);
  const message = error.message.charAt(0).toLowerCase() + error.message.slice(1);
  if (/required property/i.test(error.message)) return new ShapeError(field, `${field}: missing required field`);
  return new ShapeError(field, `${field}: ${message}`);
}

interface TextField {
  key: string;
  kind: "number" | "boolean";
}

/** The fields of a flat object schema whose text convertText converts (computed once per schema). */
function textFields(schema: TSchema): TextField[] {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  const fields: TextField[] = [];
  for (const [key, prop] of Object.entries(properties)) {
    if (prop.type === "integer" || prop.type === "number") fields.push({ key, kind: "number" });
    else if (prop.type === "boolean") fields.push({ key, kind: "boolean" });
  }
  return fields;
}

const DECIMAL = /^[0-9]{1,16}$/;

/**
 * Converts the text fields of a flat object whose schema says integer, number or boolean. The
 * object is copied (never changed in place) when one is converted, else returned as it is.
 */
function convertText(fields: readonly TextField[], data: unknown): unknown {
  if (fields.length === 0 || typeof data !== "object" || data === null || Array.isArray(data)) return data;
  let out: Record<string, unknown> | null = null;
  for (const { key, kind } of fields) {
    const value = (out ?? (data as Record<string, unknown>))[key];
    if (typeof value !== "string") continue;
    const text = value.trim();
    let converted: number | boolean;
    if (kind === "number" && DECIMAL.test(text)) converted = Number(text);
    else if (kind === "boolean" && (text === "true" || text === "false")) converted = text === "true";
    else continue;
    out ??= { ...(data as Record<string, unknown>) };
    out[key] = converted;
  }
  return out ?? data;
}

const PART_NAMES: Record<string, string> = { body: "body", querystring: "query", params: "path", headers: "headers" };

/** Fastify validator compiler backed by TypeBox's TypeCompiler. */
export const typeboxValidatorCompiler: FastifySchemaCompiler<FastifySchema> = ({ schema, httpPart }) => {
  const typed = schema as TSchema;
  const checker = TypeCompiler.Compile(typed);
  const part = PART_NAMES[httpPart ?? "body"] ?? "body";
  const fields = part === "body" ? [] : textFields(typed);
  return (data: unknown) => {
    const value = convertText(fields, data);
    if (checker.Check(value)) {
      const bad = findUnstorableText(typed, value, "");
      return bad === null ? { value } : { error: invalidText(bad.field === "" ? part : bad.field, bad.problem) };
    }
    const first = checker.Errors(value).First();
    return { error: first === undefined ? new ShapeError(part, `${part}: invalid`) : describe(first, part) };
  };
};
