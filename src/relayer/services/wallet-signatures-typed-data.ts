/**
 * The two EIP-712 formats of wallet signatures (docs/wallet-signatures.md), told apart by the
 * domain's `version`:
 * - "1", the hosted format (kept for existing clients): domain [name, version, chainId], struct
 *   [address address, issuedAt uint256]. It binds neither the diamond nor, for conversion, the
 *   account.
 * - "2", the bound format (this project's SDK and dashboard): domain [name, version, chainId,
 *   verifyingContract] with verifyingContract = the diamond the relayer serves; struct
 *   [address address, issuedAt uint256], except ConvertAccount: [address address, apiKeyHash
 *   bytes32, issuedAt uint256] with apiKeyHash = the master hash of the account being converted.
 * Types must match exactly (names, types, order, no extra types); every mismatch fails with its own
 * code and a message naming the field.
 */
import { TypedDataEncoder, getAddress } from "ethers";
import type { Address, Hash32 } from "../ports";
import { ServiceError } from "./errors";

export type WalletFlow = "CreateWallet" | "ConvertAccount" | "AddUsageApiKey" | "BillingAuth";

export const WALLET_FLOWS: readonly WalletFlow[] = ["CreateWallet", "ConvertAccount", "AddUsageApiKey", "BillingAuth"];

export const CHAIN_SECURED_DOMAIN_NAME = "Lit ChainSecured";
/** Domain version of the hosted format. */
export const CHAIN_SECURED_DOMAIN_VERSION = "1";
/** Domain version of the bound format. */
export const BOUND_DOMAIN_VERSION = "2";
/** Largest accepted serialised typed_data (or legacy message), in bytes. */
export const MAX_SIGNED_PAYLOAD_BYTES = 4096;

/** "hosted": domain version "1" (no diamond, no account); "bound": domain version "2". */
export type TypedDataFormat = "hosted" | "bound";

type Field = { readonly name: string; readonly type: string };

const HOSTED_DOMAIN_FIELDS: readonly Field[] = [
  { name: "name", type: "string" },
  { name: "version", type: "string" },
  { name: "chainId", type: "uint256" },
];
const BOUND_DOMAIN_FIELDS: readonly Field[] = [...HOSTED_DOMAIN_FIELDS, { name: "verifyingContract", type: "address" }];
const PLAIN_STRUCT: readonly Field[] = [
  { name: "address", type: "address" },
  { name: "issuedAt", type: "uint256" },
];
const BOUND_CONVERT_STRUCT: readonly Field[] = [
  { name: "address", type: "address" },
  { name: "apiKeyHash", type: "bytes32" },
  { name: "issuedAt", type: "uint256" },
];

const domainFields = (format: TypedDataFormat): readonly Field[] =>
  format === "bound" ? BOUND_DOMAIN_FIELDS : HOSTED_DOMAIN_FIELDS;
/** The struct of `flow` in `format`: only the bound ConvertAccount carries the account. */
const structFields = (flow: WalletFlow, format: TypedDataFormat): readonly Field[] =>
  format === "bound" && flow === "ConvertAccount" ? BOUND_CONVERT_STRUCT : PLAIN_STRUCT;
const listFields = (fields: readonly Field[]): string => `[${fields.map((f) => `${f.name} ${f.type}`).join(", ")}]`;
const copy = (fields: readonly Field[]): { name: string; type: string }[] => fields.map((f) => ({ ...f }));

export interface HostedTypedData {
  types: Record<string, { name: string; type: string }[]>;
  primaryType: WalletFlow;
  domain: { name: string; version: string; chainId: number };
  message: { address: string; issuedAt: number };
}

export interface BoundTypedData {
  types: Record<string, { name: string; type: string }[]>;
  primaryType: WalletFlow;
  domain: { name: string; version: string; chainId: number; verifyingContract: string };
  message: { address: string; apiKeyHash?: string; issuedAt: number };
}

/** The hosted envelope (domain version "1") a client signs with eth_signTypedData_v4. */
export function chainSecuredTypedData(
  primaryType: WalletFlow,
  address: string,
  chainId: number | bigint,
  issuedAt: number,
): HostedTypedData {
  return {
    types: { EIP712Domain: copy(HOSTED_DOMAIN_FIELDS), [primaryType]: copy(PLAIN_STRUCT) },
    primaryType,
    domain: { name: CHAIN_SECURED_DOMAIN_NAME, version: CHAIN_SECURED_DOMAIN_VERSION, chainId: Number(chainId) },
    message: { address: getAddress(address), issuedAt },
  };
}

/**
 * The bound envelope (domain version "2"): names the diamond, and for ConvertAccount the account
 * (`apiKeyHash`, required for it and refused for the other flows).
 */
export function boundTypedData(
  primaryType: WalletFlow,
  binding: { address: string; chainId: number | bigint; verifyingContract: string; issuedAt: number; apiKeyHash?: string },
): BoundTypedData {
  const converts = primaryType === "ConvertAccount";
  if (converts !== (binding.apiKeyHash !== undefined))
    throw new Error(`boundTypedData: apiKeyHash is ${converts ? "required for" : "only for"} ConvertAccount`);
  return {
    types: { EIP712Domain: copy(BOUND_DOMAIN_FIELDS), [primaryType]: copy(structFields(primaryType, "bound")) },
    primaryType,
    domain: {
      name: CHAIN_SECURED_DOMAIN_NAME,
      version: BOUND_DOMAIN_VERSION,
      chainId: Number(binding.chainId),
      verifyingContract: getAddress(binding.verifyingContract),
    },
    message: converts
      ? { address: getAddress(binding.address), apiKeyHash: binding.apiKeyHash, issuedAt: binding.issuedAt }
      : { address: getAddress(binding.address), issuedAt: binding.issuedAt },
  };
}

export const badValue = (code: string, message: string): ServiceError => new ServiceError("InvalidValue", code, message);
export const denied = (code: string, message: string): ServiceError => new ServiceError("Unauthenticated", code, message);

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function sameFields(actual: unknown, expected: readonly Field[]): boolean {
  if (!Array.isArray(actual) || actual.length !== expected.length) return false;
  return expected.every((f, i) => {
    const a: unknown = actual[i];
    return isRecord(a) && Object.keys(a).length === 2 && a.name === f.name && a.type === f.type;
  });
}

/** A uint as JSON number or decimal string (hex accepted for chainId-like values), bounded. */
function uintOf(value: unknown, field: string): bigint {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0)
      throw badValue("InvalidTypedData", `${field}: expected a non-negative integer`);
    return BigInt(value);
  }
  if (typeof value === "string" && /^(0|[1-9][0-9]{0,19}|0x[0-9a-fA-F]{1,16})$/.test(value)) return BigInt(value);
  throw badValue("InvalidTypedData", `${field}: expected a non-negative integer (number or decimal string)`);
}

/** A 20-byte hex address, `0x` + 40 lowercase hex. */
export function addressOf(value: unknown, field: string, code = "InvalidTypedData"): Address {
  if (typeof value !== "string" || !/^(0x)?[0-9a-fA-F]{40}$/.test(value.trim()))
    throw badValue(code, `${field}: expected a 20-byte hex address`);
  const text = value.trim();
  return (text.startsWith("0x") ? text : `0x${text}`).toLowerCase();
}

function hash32Of(value: unknown, field: string): Hash32 {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(value))
    throw badValue("InvalidTypedData", `${field}: expected 0x + 64 hex (a 32-byte hash)`);
  return value.toLowerCase();
}

export interface ParsedTypedData {
  format: TypedDataFormat;
  address: Address;
  issuedAt: number;
  digest: Hash32;
  /** The account a bound ConvertAccount names (its apiKeyHash); undefined for every other kind. */
  account?: Hash32;
}

export interface TypedDataExpectations {
  chainId: number;
  /** The diamond this relayer serves; null = none configured (bound signatures cannot be checked). */
  verifyingContract: Address | null;
  /** Whether the hosted format (domain version "1") is accepted (LEGACY_SIGNATURES). */
  acceptHosted: boolean;
}

/** The message of a 401 for a hosted-format signature on a relayer that refuses them. */
export function hostedRefusedMessage(what: string, flow: WalletFlow, expect: TypedDataExpectations): string {
  const contract = expect.verifyingContract ?? "(the diamond)";
  const account = flow === "ConvertAccount" ? " and message.apiKeyHash (the account's master hash)" : "";
  return (
    `${what} is the hosted format, which binds neither this diamond nor the account; this relayer refuses it ` +
    `(LEGACY_SIGNATURES=false). Sign the bound format: domain {name "${CHAIN_SECURED_DOMAIN_NAME}", version ` +
    `"${BOUND_DOMAIN_VERSION}", chainId ${expect.chainId}, verifyingContract ${contract}}${account}`
  );
}

/**
 * Parses and checks typed data for `flow` (everything but time, signer and single use): size,
 * shape, primaryType, format, exact types, domain (name, version, chainId and, bound, the diamond),
 * message fields. Returns the EIP-712 digest the signature must cover.
 */
export function parseTypedData(flow: WalletFlow, raw: unknown, expect: TypedDataExpectations): ParsedTypedData {
  let text: string;
  let data: unknown;
  if (typeof raw === "string") {
    text = raw;
    if (Buffer.byteLength(text, "utf8") > MAX_SIGNED_PAYLOAD_BYTES)
      throw badValue("TypedDataTooLarge", `typed_data: larger than ${MAX_SIGNED_PAYLOAD_BYTES} bytes`);
    try {
      data = JSON.parse(text);
    } catch {
      throw badValue("InvalidTypedData", "typed_data: not valid JSON");
    }
  } else {
    text = JSON.stringify(raw);
    data = raw;
  }
  if (Buffer.byteLength(text, "utf8") > MAX_SIGNED_PAYLOAD_BYTES)
    throw badValue("TypedDataTooLarge", `typed_data: larger than ${MAX_SIGNED_PAYLOAD_BYTES} bytes`);
  if (!isRecord(data)) throw badValue("InvalidTypedData", "typed_data: expected an object");
  const { types, primaryType, domain, message } = data;
  if (typeof primaryType !== "string") throw badValue("InvalidTypedData", "typed_data.primaryType: expected a string");
  if (primaryType !== flow)
    throw denied(
      "WrongPrimaryType",
      `typed_data.primaryType: expected "${flow}" for this endpoint, got "${primaryType.slice(0, 64)}"`,
    );
  if (!isRecord(domain)) throw badValue("InvalidTypedData", "typed_data.domain: expected an object");
  const format = formatOf(domain.version, expect);
  if (format === "hosted" && !expect.acceptHosted)
    throw denied(
      "LegacySignaturesDisabled",
      hostedRefusedMessage(`typed_data (domain version "${CHAIN_SECURED_DOMAIN_VERSION}")`, flow, expect),
    );

  const domainTypes = domainFields(format);
  const struct = structFields(flow, format);
  const named = format === "bound" ? `the bound format (domain version "${BOUND_DOMAIN_VERSION}")` : "the hosted format";
  if (!isRecord(types)) throw badValue("InvalidTypedData", "typed_data.types: expected an object");
  const typeNames = Object.keys(types);
  if (typeNames.length !== 2 || !("EIP712Domain" in types) || !(flow in types))
    throw badValue("InvalidTypes", `typed_data.types: expected exactly EIP712Domain and ${flow}`);
  if (!sameFields(types.EIP712Domain, domainTypes))
    throw badValue(
      "InvalidTypes",
      `typed_data.types.EIP712Domain: ${named} takes exactly ${listFields(domainTypes)} in this order`,
    );
  if (!sameFields(types[flow], struct))
    throw badValue("InvalidTypes", `typed_data.types.${flow}: ${named} takes exactly ${listFields(struct)} in this order`);

  if (Object.keys(domain).length !== domainTypes.length)
    throw badValue(
      "InvalidTypedData",
      `typed_data.domain: ${named} has exactly ${domainTypes.map((f) => f.name).join(", ")}`,
    );
  if (domain.name !== CHAIN_SECURED_DOMAIN_NAME)
    throw denied("WrongDomain", `typed_data.domain.name: expected "${CHAIN_SECURED_DOMAIN_NAME}"`);
  const chainId = uintOf(domain.chainId, "typed_data.domain.chainId");
  if (chainId !== BigInt(expect.chainId))
    throw denied(
      "WrongChainId",
      `typed_data.domain.chainId: expected ${expect.chainId} (this node's chain), got ${chainId}`,
    );
  let verifyingContract: Address | undefined;
  if (format === "bound") {
    verifyingContract = addressOf(domain.verifyingContract, "typed_data.domain.verifyingContract");
    if (expect.verifyingContract === null)
      throw denied(
        "WrongVerifyingContract",
        "typed_data.domain.verifyingContract: this relayer has no diamond configured (DIAMOND_ADDRESS), so it cannot accept the bound format",
      );
    if (verifyingContract !== expect.verifyingContract.toLowerCase())
      throw denied(
        "WrongVerifyingContract",
        `typed_data.domain.verifyingContract: expected ${expect.verifyingContract.toLowerCase()} (the diamond this relayer serves), got ${verifyingContract}: the signature was made for another deployment`,
      );
  }

  if (!isRecord(message) || Object.keys(message).length !== struct.length)
    throw badValue(
      "InvalidTypedData",
      `typed_data.message: expected exactly ${struct.map((f) => f.name).join(", ")}`,
    );
  const address = addressOf(message.address, "typed_data.message.address");
  const issuedAt = uintOf(message.issuedAt, "typed_data.message.issuedAt");
  if (issuedAt > BigInt(Number.MAX_SAFE_INTEGER))
    throw badValue("InvalidTypedData", "typed_data.message.issuedAt: too large");
  const account =
    struct === BOUND_CONVERT_STRUCT ? hash32Of(message.apiKeyHash, "typed_data.message.apiKeyHash") : undefined;

  const digest = TypedDataEncoder.hash(
    {
      name: CHAIN_SECURED_DOMAIN_NAME,
      version: format === "bound" ? BOUND_DOMAIN_VERSION : CHAIN_SECURED_DOMAIN_VERSION,
      chainId,
      ...(verifyingContract === undefined ? {} : { verifyingContract }),
    },
    { [flow]: copy(struct) },
    account === undefined ? { address, issuedAt } : { address, apiKeyHash: account, issuedAt },
  );
  return { format, address, issuedAt: Number(issuedAt), digest, ...(account === undefined ? {} : { account }) };
}

/** The format a domain version selects; any other version is 401 WrongDomain. */
function formatOf(version: unknown, expect: TypedDataExpectations): TypedDataFormat {
  if (version === BOUND_DOMAIN_VERSION) return "bound";
  if (version === CHAIN_SECURED_DOMAIN_VERSION) return "hosted";
  const accepted = expect.acceptHosted
    ? `"${BOUND_DOMAIN_VERSION}" (bound to this diamond) or "${CHAIN_SECURED_DOMAIN_VERSION}" (hosted format)`
    : `"${BOUND_DOMAIN_VERSION}" (bound to this diamond)`;
  throw denied("WrongDomain", `typed_data.domain.version: expected ${accepted}`);
}
