/** SDK clients for the two session modes (the dashboard uses nothing but the SDK to talk to the relayer and the diamond). */
import type { Signer } from "ethers";
import { LitNodeSimpleApiClient, createClient } from "../../../src/sdk";
import { RELAYER_URL } from "./relayer";

/** API mode: HTTP with the key in X-Api-Key (no key: only the public endpoints). */
export function apiClient(apiKey?: string): LitNodeSimpleApiClient {
  return createClient(RELAYER_URL, apiKey === undefined ? {} : { apiKey });
}

/** ChainSecured mode: reads and writes through the wallet's signer; `accountHash` names the account in contract calls. */
export function sovereignClient(signer: Signer, accountHash: string, contractAddress: string): LitNodeSimpleApiClient {
  return new LitNodeSimpleApiClient({
    baseUrl: RELAYER_URL,
    mode: "sovereign",
    signer,
    contractAddress,
    adminHashOverride: accountHash,
  });
}
