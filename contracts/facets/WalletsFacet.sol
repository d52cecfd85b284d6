// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {LibAccountConfig} from "../libraries/LibAccountConfig.sol";
import {LibAccess} from "../libraries/LibAccess.sol";
import {LibPaging} from "../libraries/LibPaging.sol";
import {IWallets} from "../interfaces/IWallets.sol";

/// @title Wallets (PKPs) of an account: register a wallet with its derivation value, and list them
/// @notice Views accept any hash that resolves to the account (master, admin alias or usage key);
///         list* views page as (pageNumber, pageSize): zero-based, pageSize 1..100, and an empty
///         array past the end.
contract WalletsFacet is IWallets {
    using EnumerableSet for EnumerableSet.AddressSet;

    // ------------------------------------------------------------------ writes

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

    // ------------------------------------------------------------------ views

    /// @notice The derivation value of `walletAddress` if it is registered to the account, else 0.
    /// @param apiKeyHash any hash of the account
    /// @param walletAddress the wallet (pkpId)
    function getWalletDerivation(uint256 apiKeyHash, address walletAddress) external view returns (uint256) {
        uint256 master = LibAccess.requireAccount(apiKeyHash);
        LibAccountConfig.Wallet storage w = LibAccountConfig.layout().wallets[walletAddress];
        return w.account == master ? w.derivation : 0;
    }

    /// @notice Number of wallets registered across all accounts.
    function pkpCount() external view returns (uint256) {
        return LibAccountConfig.layout().allWallets.length;
    }

    /// @notice The `index`-th wallet registered across all accounts (zero-based).
    /// @param index below pkpCount()
    function allPkpIdsAt(uint256 index) external view returns (address) {
        address[] storage all = LibAccountConfig.layout().allWallets;
        if (index >= all.length) revert InvalidRequest("index: out of range");
        return all[index];
    }

    /// @notice A page of the account's wallets; `id` is the derivation value.
    /// @param accountApiKeyHash any hash of the account
    /// @param pageNumber zero-based page
    /// @param pageSize 1..100
    function listPkps(
        uint256 accountApiKeyHash,
        uint256 pageNumber,
        uint256 pageSize
    ) external view returns (WalletData[] memory) {
        uint256 master = LibAccess.requireAccount(accountApiKeyHash);
        return _wallets(LibAccountConfig.layout().accounts[master].wallets, pageNumber, pageSize);
    }

    /// @notice A page of a group's wallet list (address(0) is the all-wallets wildcard entry).
    /// @param accountApiKeyHash any hash of the account
    /// @param groupId a group of the account
    /// @param pageNumber zero-based page
    /// @param pageSize 1..100
    function listWalletsInGroup(
        uint256 accountApiKeyHash,
        uint256 groupId,
        uint256 pageNumber,
        uint256 pageSize
    ) external view returns (WalletData[] memory) {
        uint256 master = LibAccess.requireAccount(accountApiKeyHash);
        return _wallets(LibAccess.requireGroup(master, accountApiKeyHash, groupId).wallets, pageNumber, pageSize);
    }

    // ------------------------------------------------------------------ internals

    function _wallets(
        EnumerableSet.AddressSet storage set,
        uint256 pageNumber,
        uint256 pageSize
    ) private view returns (WalletData[] memory page) {
        (uint256 start, uint256 end) = LibPaging.bounds(set.length(), pageNumber, pageSize);
        page = new WalletData[](end - start);
        mapping(address => LibAccountConfig.Wallet) storage wallets = LibAccountConfig.layout().wallets;
        for (uint256 i = start; i < end; ++i) {
            address id = set.at(i);
            LibAccountConfig.Wallet storage w = wallets[id];
            page[i - start] = WalletData(w.derivation, id, w.name, w.description);
        }
    }
}
