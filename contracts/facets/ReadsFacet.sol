// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {LibAccountConfig} from "../libraries/LibAccountConfig.sol";
import {LibAccess} from "../libraries/LibAccess.sol";
import {IAccountConfigErrors} from "../interfaces/IAccountConfigErrors.sol";
import {IAccountConfigTypes} from "../interfaces/IAccountConfigTypes.sol";

/// @title Account, group, action, wallet and usage-key views
/// @notice Every view accepts any hash that resolves to the account (master, admin alias or usage
///         key). list* views page as (pageNumber, pageSize): zero-based, pageSize 1..100, and an
///         empty array past the end.
contract ReadsFacet is IAccountConfigErrors, IAccountConfigTypes {
    using EnumerableSet for EnumerableSet.UintSet;
    using EnumerableSet for EnumerableSet.AddressSet;

    // ------------------------------------------------------------------ accounts and identities

    /// @notice Number of accounts ever created.
    function accountCount() external view returns (uint256) {
        return LibAccountConfig.layout().accountHashes.length;
    }

    /// @notice The master hash of the `index`-th account created (zero-based).
    /// @param index below accountCount()
    function indexToAccountHashAt(uint256 index) external view returns (uint256) {
        uint256[] storage hashes = LibAccountConfig.layout().accountHashes;
        if (index >= hashes.length) revert InvalidRequest("index: out of range");
        return hashes[index];
    }

    /// @notice Whether `apiKeyHash` resolves to an account (master, admin alias, or a usage key that
    ///         is not removed) AND the caller (msg.sender) may write to that account: an api payer
    ///         (or the diamond owner) for an API-mode account, its current admin wallet for a
    ///         ChainSecured one. Answers for the caller as the hosted contract does; plain existence
    ///         is accountExists.
    /// @param apiKeyHash any hash
    function accountExistsAndIsMutable(uint256 apiKeyHash) external view returns (bool) {
        (uint256 master, ) = LibAccess.resolve(apiKeyHash);
        if (master == 0) return false;
        LibAccountConfig.Account storage account = LibAccountConfig.layout().accounts[master];
        return account.managed ? LibAccess.isApiPayerOrOwner(msg.sender) : msg.sender == account.admin;
    }

    /// @notice Whether `apiKeyHash` resolves to an account (master, admin alias, or a usage key that
    ///         is not removed), in either mode, whoever asks.
    /// @param apiKeyHash any hash
    function accountExists(uint256 apiKeyHash) external view returns (bool) {
        (uint256 master, ) = LibAccess.resolve(apiKeyHash);
        return master != 0;
    }

    /// @notice The account's wallet (API mode) or admin wallet (ChainSecured).
    /// @param apiKeyHash any hash of the account
    function getAccountWalletAddress(uint256 apiKeyHash) external view returns (address) {
        return LibAccountConfig.layout().accounts[LibAccess.requireAccount(apiKeyHash)].admin;
    }

    /// @notice A snapshot of the account `apiKeyHash` resolves to.
    /// @param apiKeyHash any hash of the account
    function getAccount(uint256 apiKeyHash) external view returns (AccountInfo memory info) {
        uint256 master = LibAccess.requireAccount(apiKeyHash);
        LibAccountConfig.Account storage a = LibAccountConfig.layout().accounts[master];
        info = AccountInfo(
            master,
            a.managed,
            a.admin,
            a.name,
            a.description,
            a.groups.length(),
            a.actions.length(),
            a.wallets.length(),
            a.usageKeys.length(),
            a.masterIsAdminAlias,
            a.masterWallet
        );
    }

    /// @notice What `apiKeyHash` is bound to: its master (0 if none) and the kind of binding.
    /// @param apiKeyHash any hash
    function resolveApiKeyHash(uint256 apiKeyHash) external view returns (uint256 master, HashKind kind) {
        LibAccountConfig.Binding storage b = LibAccountConfig.layout().bindings[apiKeyHash];
        kind = b.kind;
        master = kind == HashKind.None || kind == HashKind.RemovedUsageKey ? 0 : b.master;
    }

    // ------------------------------------------------------------------ wallets

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

    // ------------------------------------------------------------------ groups and actions

    /// @notice A page of the account's groups.
    /// @param accountApiKeyHash any hash of the account
    /// @param pageNumber zero-based page
    /// @param pageSize 1..100
    function listGroups(
        uint256 accountApiKeyHash,
        uint256 pageNumber,
        uint256 pageSize
    ) external view returns (Metadata[] memory page) {
        uint256 master = LibAccess.requireAccount(accountApiKeyHash);
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        EnumerableSet.UintSet storage ids = s.accounts[master].groups;
        (uint256 start, uint256 end) = _page(ids.length(), pageNumber, pageSize);
        page = new Metadata[](end - start);
        for (uint256 i = start; i < end; ++i) {
            uint256 id = ids.at(i);
            LibAccountConfig.Group storage g = s.groups[id];
            page[i - start] = Metadata(id, g.name, g.description);
        }
    }

    /// @notice A group's metadata and both of its lists (0 / address(0) are the wildcard entries).
    /// @param accountApiKeyHash any hash of the account
    /// @param groupId a group of the account
    function listGroupContents(
        uint256 accountApiKeyHash,
        uint256 groupId
    ) external view returns (GroupContents memory) {
        uint256 master = LibAccess.requireAccount(accountApiKeyHash);
        LibAccountConfig.Group storage g = LibAccess.requireGroup(master, accountApiKeyHash, groupId);
        return GroupContents(Metadata(groupId, g.name, g.description), g.cids.values(), g.wallets.values());
    }

    /// @notice A page of the account's registered actions.
    /// @param accountApiKeyHash any hash of the account
    /// @param pageNumber zero-based page
    /// @param pageSize 1..100
    function listActions(
        uint256 accountApiKeyHash,
        uint256 pageNumber,
        uint256 pageSize
    ) external view returns (Metadata[] memory) {
        uint256 master = LibAccess.requireAccount(accountApiKeyHash);
        return _actions(master, LibAccountConfig.layout().accounts[master].actions, pageNumber, pageSize);
    }

    /// @notice A page of a group's action list (0 is the all-actions wildcard entry).
    /// @param accountApiKeyHash any hash of the account
    /// @param groupId a group of the account
    /// @param pageNumber zero-based page
    /// @param pageSize 1..100
    function listActionsInGroup(
        uint256 accountApiKeyHash,
        uint256 groupId,
        uint256 pageNumber,
        uint256 pageSize
    ) external view returns (Metadata[] memory) {
        uint256 master = LibAccess.requireAccount(accountApiKeyHash);
        return _actions(master, LibAccess.requireGroup(master, accountApiKeyHash, groupId).cids, pageNumber, pageSize);
    }

    // ------------------------------------------------------------------ usage keys

    /// @notice A page of the account's usage keys with their full permission sets (the master key
    ///         is not listed).
    /// @param accountApiKeyHash any hash of the account
    /// @param pageNumber zero-based page
    /// @param pageSize 1..100
    function listApiKeys(
        uint256 accountApiKeyHash,
        uint256 pageNumber,
        uint256 pageSize
    ) external view returns (UsageApiKey[] memory page) {
        uint256 master = LibAccess.requireAccount(accountApiKeyHash);
        EnumerableSet.UintSet storage keys = LibAccountConfig.layout().accounts[master].usageKeys;
        (uint256 start, uint256 end) = _page(keys.length(), pageNumber, pageSize);
        page = new UsageApiKey[](end - start);
        for (uint256 i = start; i < end; ++i) page[i - start] = _usageKey(keys.at(i));
    }

    /// @notice One usage key of the account with its full permission set.
    /// @param accountApiKeyHash any hash of the account
    /// @param usageApiKeyHash a usage key of the account
    function getUsageApiKey(
        uint256 accountApiKeyHash,
        uint256 usageApiKeyHash
    ) external view returns (UsageApiKey memory) {
        uint256 master = LibAccess.requireAccount(accountApiKeyHash);
        LibAccountConfig.Binding storage b = LibAccountConfig.layout().bindings[usageApiKeyHash];
        if (b.kind != HashKind.UsageKey || b.master != master) {
            revert UsageApiKeyDoesNotExist(accountApiKeyHash, usageApiKeyHash);
        }
        return _usageKey(usageApiKeyHash);
    }

    // ------------------------------------------------------------------ internals

    function _usageKey(uint256 hash) private view returns (UsageApiKey memory) {
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        LibAccountConfig.UsageKey storage k = s.usageKeys[hash];
        return
            UsageApiKey(
                Metadata(hash, k.name, k.description),
                hash,
                k.expiration,
                s.balances[hash],
                k.executeInGroups,
                k.createGroups,
                k.deleteGroups,
                k.createPKPs,
                k.manageIPFSIdsInGroups,
                k.addPkpToGroups,
                k.removePkpFromGroups
            );
    }

    function _actions(
        uint256 master,
        EnumerableSet.UintSet storage cids,
        uint256 pageNumber,
        uint256 pageSize
    ) private view returns (Metadata[] memory page) {
        (uint256 start, uint256 end) = _page(cids.length(), pageNumber, pageSize);
        page = new Metadata[](end - start);
        mapping(uint256 => LibAccountConfig.Metadata) storage meta = LibAccountConfig
            .layout()
            .accounts[master]
            .actionMeta;
        for (uint256 i = start; i < end; ++i) {
            uint256 cid = cids.at(i);
            page[i - start] = Metadata(cid, meta[cid].name, meta[cid].description);
        }
    }

    function _wallets(
        EnumerableSet.AddressSet storage set,
        uint256 pageNumber,
        uint256 pageSize
    ) private view returns (WalletData[] memory page) {
        (uint256 start, uint256 end) = _page(set.length(), pageNumber, pageSize);
        page = new WalletData[](end - start);
        mapping(address => LibAccountConfig.Wallet) storage wallets = LibAccountConfig.layout().wallets;
        for (uint256 i = start; i < end; ++i) {
            address id = set.at(i);
            LibAccountConfig.Wallet storage w = wallets[id];
            page[i - start] = WalletData(w.derivation, id, w.name, w.description);
        }
    }

    function _page(uint256 total, uint256 pageNumber, uint256 pageSize) private pure returns (uint256, uint256) {
        if (pageSize == 0 || pageSize > LibAccountConfig.MAX_PAGE_SIZE) {
            revert InvalidRequest("pageSize: must be between 1 and 100");
        }
        if (pageNumber >= (total + pageSize - 1) / pageSize) return (0, 0);
        uint256 start = pageNumber * pageSize;
        uint256 end = start + pageSize;
        return (start, end > total ? total : end);
    }
}
