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

/** Converts the text fields of a flat object whose schema says integer, number or boolean. */
function convertText(schema: TSchema, data: unknown): unknown {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties;
  if (properties === undefined || typeof data !== "object" || data === null || Array.isArray(data)) return data;
  const out: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const [key, prop] of Object.entries(properties)) {
    const value = out[key];
    if (typeof value !== "string") continue;
    const text = value.trim();
    if ((prop.type === "integer" || prop.type === "number") && /^[0-9]{1,16}$/.test(text)) out[key] = Number(text);
    else if (prop.type === "boolean" && (text === "true" || text === "false")) out[key] = text === "true";
  }
  return out;
}

const PART_NAMES: Record<string, string> = { body: "body", querystring: "query", params: "path", headers: "headers" };

/** Fastify validator compiler backed by TypeBox's TypeCompiler. */
export const typeboxValidatorCompiler: FastifySchemaCompiler<FastifySchema> = ({ schema, httpPart }) => {
  const typed = schema as TSchema;
  const checker = TypeCompiler.Compile(typed);
  const part = PART_NAMES[httpPart ?? "body"] ?? "body";
  const convert = part !== "body";
  return (data: unknown) => {
    const value = convert ? convertText(typed, data) : data;
    if (checker.Check(value)) {
      const bad = findUnstorableText(typed, value, "");
      return bad === null ? { value } : { error: invalidText(bad.field === "" ? part : bad.field, bad.problem) };
    }
    const first = checker.Errors(value).First();
    return { error: first === undefined ? new ShapeError(part, `${part}: invalid`) : describe(first, part) };
  };
};
