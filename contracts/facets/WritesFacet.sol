// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {LibAccountConfig} from "../libraries/LibAccountConfig.sol";
import {LibAccess} from "../libraries/LibAccess.sol";
import {LibGroups} from "../libraries/LibGroups.sol";
import {IAccountConfigErrors} from "../interfaces/IAccountConfigErrors.sol";
import {IAccountConfigEvents} from "../interfaces/IAccountConfigEvents.sol";

/// @title Actions and wallet registration of an account (accounts themselves: AccountsFacet)
contract WritesFacet is IAccountConfigErrors, IAccountConfigEvents {
    using EnumerableSet for EnumerableSet.UintSet;
    using EnumerableSet for EnumerableSet.AddressSet;

    // ------------------------------------------------------------------ actions

    /// @notice Register an action (cid hash) to the account, or update its name and description
    ///         when it is already registered. Master key only.
    /// @param accountApiKeyHash the master hash (or admin alias)
    /// @param name at most 128 bytes
    /// @param description at most 1024 bytes
    /// @param actionHash keccak256 of the action's IPFS CID text; non-zero
    function addAction(
        uint256 accountApiKeyHash,
        string calldata name,
        string calldata description,
        uint256 actionHash
    ) external {
        uint256 master = LibAccess.authorizeMasterWrite(accountApiKeyHash);
        LibAccess.requireNonZero(actionHash, "actionHash");
        LibAccess.requireMetadata(bytes(name).length, bytes(description).length);
        LibGroups.registerAction(master, actionHash);
        _setActionMetadata(master, actionHash, name, description);
    }

    /// @notice Unregister an action and remove it from every group that lists it. Master key only.
    /// @dev Cost grows with the number of groups listing the action (at most 100), not with the account.
    /// @param accountApiKeyHash the master hash (or admin alias)
    /// @param actionHash the registered cid hash
    function removeAction(uint256 accountApiKeyHash, uint256 actionHash) external {
        uint256 master = LibAccess.authorizeMasterWrite(accountApiKeyHash);
        LibAccountConfig.Account storage account = LibAccountConfig.layout().accounts[master];
        if (!account.actions.remove(actionHash)) revert ActionDoesNotExist(accountApiKeyHash, 0, actionHash);
        EnumerableSet.UintSet storage holders = account.actionGroups[actionHash];
        for (uint256 n = holders.length(); n != 0; --n) {
            LibGroups.removeAction(master, holders.at(n - 1), actionHash);
        }
        delete account.actionMeta[actionHash];
        emit ActionRemoved(master, actionHash);
    }

    /// @notice Update a registered action's name and description. Master key only.
    /// @param accountApiKeyHash the master hash (or admin alias)
    /// @param actionHash the registered cid hash
    /// @param groupId 0, or a group of the account that lists the action (explicitly or by wildcard)
    /// @param name at most 128 bytes
    /// @param description at most 1024 bytes
    function updateActionMetadata(
        uint256 accountApiKeyHash,
        uint256 actionHash,
        uint256 groupId,
        string calldata name,
        string calldata description
    ) external {
        uint256 master = LibAccess.authorizeMasterWrite(accountApiKeyHash);
        LibAccess.requireMetadata(bytes(name).length, bytes(description).length);
        if (groupId != 0) LibAccess.requireGroup(master, accountApiKeyHash, groupId);
        if (!LibAccountConfig.layout().accounts[master].actions.contains(actionHash)) {
            revert ActionDoesNotExist(accountApiKeyHash, groupId, actionHash);
        }
        if (groupId != 0 && !LibAccess.groupPermitsAction(master, groupId, actionHash)) {
            revert ActionDoesNotExist(accountApiKeyHash, groupId, actionHash);
        }
        _setActionMetadata(master, actionHash, name, description);
    }

    // ------------------------------------------------------------------ wallets

    /// @notice Register a wallet (PKP) and its derivation value to the account. Each pkpId and each
    ///         derivation value can be registered once across all accounts.
    /// @dev Master key, or a usage key with createPKPs.
    /// @param apiKeyHash the caller's hash (master, admin alias or usage key)
    /// @param pkpId the wallet address; non-zero
    /// @param derivationPath the derivation value; non-zero
    /// @param name at most 128 bytes
    /// @param description at most 1024 bytes
    function registerWalletDerivation(
        uint256 apiKeyHash,
        address pkpId,
        uint256 derivationPath,
        string calldata name,
        string calldata description
    ) external {
        (uint256 master, bool full) = LibAccess.authorizeWrite(apiKeyHash);
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        if (!full && !s.usageKeys[apiKeyHash].createPKPs) revert NotAllowedToCreatePkp(apiKeyHash);
        LibAccess.requireNonZeroAddress(pkpId, "pkpId");
        LibAccess.requireNonZero(derivationPath, "derivationPath");
        LibAccess.requireMetadata(bytes(name).length, bytes(description).length);
        LibAccountConfig.Wallet storage wallet = s.wallets[pkpId];
        if (wallet.account != 0) revert WalletAlreadyRegistered(pkpId, wallet.account);
        if (s.derivationOwner[derivationPath] != address(0)) revert DerivationAlreadyRegistered(derivationPath);
        wallet.account = master;
        wallet.derivation = derivationPath;
        wallet.name = name;
        wallet.description = description;
        s.derivationOwner[derivationPath] = pkpId;
        s.allWallets.push(pkpId);
        s.accounts[master].wallets.add(pkpId);
        emit WalletDerivationRegistered(master, pkpId, derivationPath);
        emit WalletMetadataSet(master, pkpId, name, description);
    }

    // ------------------------------------------------------------------ internals

    function _setActionMetadata(uint256 master, uint256 cid, string calldata name, string calldata description)
        private
    {
        LibAccountConfig.Metadata storage meta = LibAccountConfig.layout().accounts[master].actionMeta[cid];
        meta.name = name;
        meta.description = description;
        emit ActionMetadataSet(master, cid, name, description);
    }
}
