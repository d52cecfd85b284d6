import { Type } from "@sinclair/typebox";
import { AddressText, Description, Name, OptionalNullable } from "./common";

export const NewAccountBody = Type.Object({
  account_name: Name("account_name"),
  account_description: Description("account_description"),
  email: OptionalNullable(Type.String({ description: "accepted for compatibility; not stored on-chain" })),
});

export const NewAccountReply = Type.Object({
  api_key: Type.String({ description: "the account (master) key: 32 random bytes, base64; shown once" }),
  wallet_address: AddressText("the account wallet (a PKP registered as AMW)"),
});

export const AccountExistsReply = Type.Boolean({
  description: "true when the key resolves to an account (API mode or ChainSecured)",
});
