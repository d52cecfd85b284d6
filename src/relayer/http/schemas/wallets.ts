import { Type } from "@sinclair/typebox";
import { AddressText, GroupIdU64, PageQuery } from "./common";

export const CreateWalletReply = Type.Object({ wallet_address: AddressText("the new wallet (PKP)") });

export const ListWalletsQuery = Type.Object(PageQuery);
export const ListWalletsInGroupQuery = Type.Object({ group_id: GroupIdU64, ...PageQuery });
export const WalletItem = Type.Object({
  id: Type.String({ description: "the wallet's derivation value, decimal" }),
  name: Type.String(),
  description: Type.String(),
  wallet_address: AddressText("the wallet"),
});
export const ListWalletsReply = Type.Array(WalletItem);
