/**
 * The ChainSecured endpoints (http-api.md §3, §4): create_wallet_with_signature,
 * add_usage_api_key_with_signature (wallet signature only) and convert_to_chain_secured_account
 * (master key + the new admin's signature).
 */
import type { Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { RelayerServices } from "../../services";
import { endpoint } from "../endpoint";
import {
  AddUsageKeyWithSignatureReply,
  ConvertBody,
  ConvertReply,
  CreateWalletWithSignatureReply,
  SignedMintBody,
} from "../schemas/chain-secured";

const SIGNATURE_RULES =
  "Wallet signature (docs/wallet-signatures.md): EIP-712 typed data with the exact Lit ChainSecured domain, either bound " +
  '(version "2": verifyingContract = this diamond; ConvertAccount also names the account\'s apiKeyHash) or hosted ' +
  '(version "1", unless LEGACY_SIGNATURES=false), issuedAt within 300 s of server time, signed by message.address ' +
  "(ERC-1271 contract wallets are asked on-chain); each signature is accepted once (409 on a repeat). 400 malformed, " +
  "401 hosted format turned off, wrong primaryType/domain/diamond/chain/time/account/signer. The admin and alias checks " +
  "use an index at the chain head as of the request (what the wallet wrote on-chain counts at once); 503 IndexBehindHead " +
  "with Retry-After when the index cannot reach it within FRESH_READ_TIMEOUT_MS (docs/finality.md).";

/** The wallet signature a body carries, as the service takes it (a null message is no message). */
function signatureOf(body: Static<typeof SignedMintBody> | Static<typeof ConvertBody>) {
  return { typed_data: body.typed_data, message: body.message ?? undefined, signature: body.signature };
}

/** A mint body as the service's signed request: the wallet address, when sent, must equal the signer. */
function signedMintRequest(body: Static<typeof SignedMintBody>) {
  return { ...signatureOf(body), claimedAddress: body.wallet_address ?? undefined };
}

export function registerChainSecuredRoutes(app: FastifyInstance, services: RelayerServices): void {
  endpoint(app, services, {
    method: "POST",
    path: "/create_wallet_with_signature",
    tag: "chain-secured",
    summary: "Mint a wallet (PKP) for a ChainSecured account (primaryType CreateWallet)",
    description:
      `${SIGNATURE_RULES} The signer must be the current admin of an account (404 otherwise). The key is bound to that ` +
      "account; register it with registerWalletDerivation(adminHash, wallet_address, derivation_path, name, description).",
    auth: "none",
    body: SignedMintBody,
    response: CreateWalletWithSignatureReply,
    handle: async ({ body }) => {
      const r = await services.chainSecured.createWallet(signedMintRequest(body));
      return { wallet_address: r.walletAddress, derivation_path: r.derivationPath };
    },
  });

  endpoint(app, services, {
    method: "POST",
    path: "/add_usage_api_key_with_signature",
    tag: "chain-secured",
    summary: "Mint a usage key and a wallet for a ChainSecured account (primaryType AddUsageApiKey)",
    description:
      `${SIGNATURE_RULES} The client then calls registerWalletDerivation and setUsageApiKey(adminHash, ` +
      "keccak256(utf8(usage_api_key)), ...) from the admin wallet.",
    auth: "none",
    body: SignedMintBody,
    response: AddUsageKeyWithSignatureReply,
    handle: async ({ body }) => {
      const r = await services.chainSecured.addUsageApiKey(signedMintRequest(body));
      return { usage_api_key: r.usageApiKey, wallet_address: r.walletAddress, derivation_path: r.derivationPath };
    },
  });

  endpoint(app, services, {
    method: "POST",
    path: "/convert_to_chain_secured_account",
    tag: "chain-secured",
    summary: "Convert an API-mode account to ChainSecured (master key + primaryType ConvertAccount)",
    description:
      `${SIGNATURE_RULES} Requires the account (master) key; the new admin signs. Groups, wallets, actions, usage keys ` +
      "and the balance stay with the account (same api_key_hash). 409 when already ChainSecured or the wallet owns an account.",
    auth: "key",
    write: true,
    body: ConvertBody,
    response: ConvertReply,
    handle: async ({ caller, body, write }) => {
      const r = await services.chainSecured.convert(
        caller,
        body.new_admin_wallet_address,
        signatureOf(body),
        write,
      );
      return { success: true as const, wallet_address: r.walletAddress, api_key_hash: r.apiKeyHash };
    },
  });
}
