// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {LibAccountConfig} from "./LibAccountConfig.sol";
import {LibAccess} from "./LibAccess.sol";
import {LibUsageKeys} from "./LibUsageKeys.sol";
import {IAccountConfigErrors} from "../interfaces/IAccountConfigErrors.sol";
import {IAccountConfigEvents} from "../interfaces/IAccountConfigEvents.sol";
import {IAccountConfigTypes} from "../interfaces/IAccountConfigTypes.sol";

/// @title Account creation, admin aliases, master wallets and alias reclaims (used by AccountsFacet)
/// @notice An unmanaged account binds its admin's alias keccak256(abi.encodePacked(admin)) and
///         records the wallet its master hash belongs to (Account.masterWallet): the master hash
///         executes only while that wallet is the admin (LibAccess.masterHoldsAuthority).
library LibAccounts {
    /// @notice Create account `hash` (checks, storage, AccountCreated and AccountMetadataSet); an
    ///         unmanaged one also binds its admin alias and records its master wallet.
    function create(
        uint256 hash,
        bool managed,
        string calldata name,
        string calldata description,
        address admin
    ) internal {
        LibAccess.requireNonZero(hash, "apiKeyHash");
        LibAccess.requireNonZeroAddress(admin, "adminWalletAddress");
        LibAccess.requireMetadata(bytes(name).length, bytes(description).length);
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        if (!LibAccess.isFreeForAccount(s.bindings[hash])) revert IAccountConfigErrors.AccountAlreadyExists(hash);
        s.bindings[hash] = LibAccountConfig.Binding(hash, IAccountConfigTypes.HashKind.Master);
        LibAccountConfig.Account storage account = s.accounts[hash];
        account.exists = true;
        account.managed = managed;
        account.admin = admin;
        account.name = name;
        account.description = description;
        s.accountHashes.push(hash);
        emit IAccountConfigEvents.AccountCreated(hash, admin, managed);
        emit IAccountConfigEvents.AccountMetadataSet(hash, name, description);
        if (!managed) {
            bindAdminAlias(hash, admin, true);
            setMasterWallet(account, hash, admin);
        }
    }

    /// @dev The master hash of `account` belongs to `wallet` (see LibAccess.masterHoldsAuthority).
    function setMasterWallet(LibAccountConfig.Account storage account, uint256 master, address wallet) internal {
        account.masterWallet = wallet;
        emit IAccountConfigEvents.MasterWalletSet(master, wallet);
    }

    /// @dev If `aliasHash` (the alias of `wallet`, which is msg.sender) is bound as a usage key of some
    ///      account, or is a removed usage key's tombstone, free it for the wallet: remove the key,
    ///      leave a reclaimed tombstone (master 0) and emit AddressAliasReclaimed. Returns the account
    ///      that held it, or 0 when nothing was released.
    function releaseSquat(uint256 aliasHash, address wallet) internal returns (uint256 previous) {
        LibAccountConfig.Binding storage binding = LibAccountConfig.layout().bindings[aliasHash];
        IAccountConfigTypes.HashKind kind = binding.kind;
        previous = binding.master;
        if (kind == IAccountConfigTypes.HashKind.UsageKey) {
            LibUsageKeys.remove(previous, aliasHash);
        } else if (kind != IAccountConfigTypes.HashKind.RemovedUsageKey || previous == 0) {
            return 0;
        }
        binding.master = 0;
        emit IAccountConfigEvents.AddressAliasReclaimed(aliasHash, wallet, previous);
    }

    /// @dev Bind keccak(admin) -> master; revert AccountAlreadyExists if that hash is bound. When
    ///      `masterIsAlias` is true and the alias is the master hash itself, there is nothing to bind.
    function bindAdminAlias(uint256 master, address admin, bool masterIsAlias) internal {
        uint256 aliasHash = LibAccess.aliasOf(admin);
        if (aliasHash == master && masterIsAlias) {
            LibAccountConfig.layout().accounts[master].masterIsAdminAlias = true;
            return;
        }
        LibAccountConfig.Binding storage binding = LibAccountConfig.layout().bindings[aliasHash];
        if (!LibAccess.isFreeForAccount(binding)) revert IAccountConfigErrors.AccountAlreadyExists(aliasHash);
        binding.master = master;
        binding.kind = IAccountConfigTypes.HashKind.AdminAlias;
        emit IAccountConfigEvents.AdminAliasBound(master, aliasHash, admin);
    }
}
