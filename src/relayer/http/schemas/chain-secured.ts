import { Type } from "@sinclair/typebox";
import { AddressText, Hash32Text, OptionalNullable } from "./common";

const TypedData = Type.Unknown({
  description:
    "EIP-712 typed data (object, or its JSON text), at most 4096 bytes serialised; the domain version selects the format " +
    '(docs/wallet-signatures.md). Bound, version "2": types {EIP712Domain: [name string, version string, chainId uint256, ' +
    "verifyingContract address], <primaryType>: [address address, issuedAt uint256] (ConvertAccount: [address address, " +
    'apiKeyHash bytes32, issuedAt uint256])}, domain {name "Lit ChainSecured", version "2", chainId, verifyingContract: ' +
    "the diamond}, message {address, [apiKeyHash: the converted account's master hash,] issuedAt}. Hosted, version " +
    '"1" (existing clients; refused when the relayer runs with LEGACY_SIGNATURES=false): EIP712Domain [name string, ' +
    'version string, chainId uint256], domain {name "Lit ChainSecured", version "1", chainId}, struct [address address, issuedAt uint256]',
});
const LegacyMessage = Type.String({
  description:
    "legacy EIP-191 signed text (older clients) with lines Address:, Chain ID:, Issued At: (send it instead of typed_data); " +
    "refused when the relayer runs with LEGACY_SIGNATURES=false",
});
const Signature = Type.String({
  description: "0x hex: 65-byte ECDSA signature, or the contract wallet's ERC-1271 signature",
});

export const SignedMintBody = Type.Object({
  wallet_address: OptionalNullable(Type.String({ description: "optional; must equal the signed address" })),
  typed_data: Type.Optional(TypedData),
  message: OptionalNullable(LegacyMessage),
  signature: Signature,
});

export const ConvertBody = Type.Object({
  new_admin_wallet_address: Type.String({ description: "the new admin wallet; must equal the signed address" }),
  typed_data: Type.Optional(TypedData),
  message: OptionalNullable(LegacyMessage),
  signature: Signature,
});

const DerivationPath = Type.String({ description: "the derivation value, 0x + lowercase hex without padding" });

export const CreateWalletWithSignatureReply = Type.Object({
  wallet_address: AddressText("the new wallet (PKP), bound to the signer's account"),
  derivation_path: DerivationPath,
});

export const AddUsageKeyWithSignatureReply = Type.Object({
  usage_api_key: Type.String({
    description: "the new usage key (shown once); attach keccak256 of its text with setUsageApiKey",
  }),
  wallet_address: AddressText("a new wallet (PKP), bound to the signer's account"),
  derivation_path: DerivationPath,
});

export const ConvertReply = Type.Object({
  success: Type.Literal(true),
  wallet_address: AddressText("the new admin wallet"),
  api_key_hash: Hash32Text("the account's preserved master hash"),
});
