/**
 * Schemas shared by the endpoints. Request schemas fix only the JSON shape (types, required
 * fields: a mismatch is 422); value rules (lengths, hex, CIDs, zero ids: 400) live in the
 * services and are stated in the descriptions.
 */
import { type TSchema, Type } from "@sinclair/typebox";

/** An optional field that may also be null (serde's Option<T> in the hosted service): both mean absent. */
export const OptionalNullable = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));

export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: "human-readable message (names the offending field for 400 and 422)" }),
    code: Type.String({ description: "custom error name of a contract revert, otherwise a stable machine name" }),
    request_id: Type.String({ format: "uuid", description: "the X-Request-Id of this response" }),
  },
  { title: "Error" },
);

/** A JSON integer 0 .. 2^53-1 (u64 values beyond that cannot be represented exactly in JSON numbers). */
export const U64 = (description?: string) =>
  Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, ...(description === undefined ? {} : { description }) });

export const GroupIdU64 = U64("a group id of the account (0 is invalid: 400)");

export const GroupIdList = (what: string) =>
  Type.Array(U64(), {
    description: `group ids where the key may ${what}; [0] = every group; at most 50, no duplicates`,
  });

export const PageQuery = {
  page_number: U64("zero-based page"),
  page_size: U64("1..100 (400 outside)"),
};

export const Name = (field = "name") => Type.String({ description: `${field}: at most 128 UTF-8 bytes` });
export const Description = (field = "description") =>
  Type.String({ description: `${field}: at most 1024 UTF-8 bytes` });

export const Success = Type.Object({ success: Type.Literal(true) });

export const Hash32Text = (description: string) =>
  Type.String({ description: `${description} (0x + 64 lowercase hex)` });
export const AddressText = (description: string) =>
  Type.String({ description: `${description} (0x + 40 lowercase hex)` });

/** Headers a write accepts (documented in the OpenAPI document). */
export const WriteHeaders = Type.Object({
  "idempotency-key": Type.Optional(
    Type.String({
      description:
        "a repeat with the same key (per account) returns the first outcome; 1..255 printable ASCII characters",
    }),
  ),
});
