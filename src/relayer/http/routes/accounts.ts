import type { FastifyInstance } from "fastify";
import type { RelayerServices } from "../../services";
import { endpoint } from "../endpoint";
import { AccountExistsReply, NewAccountBody, NewAccountReply } from "../schemas/accounts";

export function registerAccountRoutes(app: FastifyInstance, services: RelayerServices): void {
  endpoint(app, services, {
    method: "POST",
    path: "/new_account",
    tag: "accounts",
    summary: "Create an API-mode account",
    description:
      "Creates a managed account and its account wallet (a PKP registered as AMW). Returns the account key once. " +
      "No authentication; rate-limited per client IP. A repeat with the same Idempotency-Key (from the same IP) answers " +
      "the same key, so the Idempotency-Key must be one nobody can guess: a UUID v4, or at least 128 random bits as " +
      "32 hex digits or 22 base64url characters (400 otherwise).",
    auth: "none",
    write: true,
    body: NewAccountBody,
    response: NewAccountReply,
    handle: async ({ body, write, clientIp }) => {
      const r = await services.accounts.newAccount(
        {
          accountName: body.account_name,
          accountDescription: body.account_description,
          email: body.email ?? undefined,
        },
        { ...write, clientIp },
      );
      return { api_key: r.apiKey, wallet_address: r.walletAddress };
    },
  });

  endpoint(app, services, {
    method: "GET",
    path: "/account_exists",
    tag: "accounts",
    summary: "Whether the key belongs to an account",
    description: "true for a key that resolves to an account in either mode; false for an unknown or removed key.",
    auth: "credential",
    response: AccountExistsReply,
    handle: async ({ credentialHash }) => services.accounts.accountExists(credentialHash),
  });
}
