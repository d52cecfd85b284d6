// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {LibAccountConfig} from "../libraries/LibAccountConfig.sol";
import {LibAccess} from "../libraries/LibAccess.sol";
import {LibUsageKeys} from "../libraries/LibUsageKeys.sol";
import {LibPaging} from "../libraries/LibPaging.sol";
import {IUsageKeys} from "../interfaces/IUsageKeys.sol";

/// @title Usage API keys: set (create or overwrite), remove, rename, and the usage key views
/// @notice All three writes are master-only: a usage key can never mint, widen or remove keys.
///         In each group array, 0 means "every group of the account, present and future". Views
///         accept any hash that resolves to the account.
contract UsageKeysFacet is IUsageKeys {
    using EnumerableSet for EnumerableSet.UintSet;

    // ------------------------------------------------------------------ writes

    /// @notice Create a usage key or overwrite all of its permissions. A hash bound to anything else
    ///         (another account, a master, an alias) reverts AccountAlreadyExists; a hash removed from
    ///         this account may be set again and then carries exactly the permissions given here.
    /// @param accountApiKeyHash the master hash (or admin alias)
    /// @param usageApiKeyHash keccak256 of the usage key; non-zero
    /// @param expiration unix seconds after which the key authorises nothing; 0 = never
    /// @param balance the key's own balance
    /// @param name at most 128 bytes
    /// @param description at most 1024 bytes
    /// @param createGroups may call addGroup
    /// @param deleteGroups may call removeGroup
    /// @param createPKPs may call registerWalletDerivation
    /// @param manageIPFSIdsInGroups groups (0 = all) where it may add/remove actions; at most 50
    /// @param addPkpToGroups groups (0 = all) where it may add wallets; at most 50
    /// @param removePkpFromGroups groups (0 = all) where it may remove wallets; at most 50
    /// @param executeInGroups groups (0 = all, an all-access key) where it may execute; at most 50
    function setUsageApiKey(
        uint256 accountApiKeyHash,
        uint256 usageApiKeyHash,
        uint256 expiration,
        uint256 balance,
        string calldata name,
        string calldata description,
        bool createGroups,
        bool deleteGroups,
        bool createPKPs,
        uint256[] calldata manageIPFSIdsInGroups,
        uint256[] calldata addPkpToGroups,
        uint256[] calldata removePkpFromGroups,
        uint256[] calldata executeInGroups
    ) external {
        UsageKeyPermissions memory p;
        p.expiration = expiration;
        p.balance = balance;
        p.createGroups = createGroups;
        p.deleteGroups = deleteGroups;
        p.createPKPs = createPKPs;
        p.manageIPFSIdsInGroups = manageIPFSIdsInGroups;
        p.addPkpToGroups = addPkpToGroups;
        p.removePkpFromGroups = removePkpFromGroups;
        p.executeInGroups = executeInGroups;
        _set(accountApiKeyHash, usageApiKeyHash, name, description, p);
    }

    /// @notice Remove a usage key of the account; nothing of it remains. Master key only.
    /// @param accountApiKeyHash the master hash (or admin alias)
    /// @param usageApiKeyHash a usage key of the account
    function removeUsageApiKey(uint256 accountApiKeyHash, uint256 usageApiKeyHash) external {
        uint256 master = LibAccess.authorizeMasterWrite(accountApiKeyHash);
        _requireUsageKey(LibAccountConfig.layout(), master, accountApiKeyHash, usageApiKeyHash);
        LibUsageKeys.remove(master, usageApiKeyHash);
    }

    /// @notice Rename a usage key of the account. Master key only.
    /// @param accountApiKeyHash the master hash (or admin alias)
    /// @param usageApiKeyHash a usage key of the account
    /// @param name at most 128 bytes
    /// @param description at most 1024 bytes
    function updateUsageApiKeyMetadata(
        uint256 accountApiKeyHash,
        uint256 usageApiKeyHash,
        string calldata name,
        string calldata description
    ) external {
        uint256 master = LibAccess.authorizeMasterWrite(accountApiKeyHash);
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        _requireUsageKey(s, master, accountApiKeyHash, usageApiKeyHash);
        LibAccess.requireMetadata(bytes(name).length, bytes(description).length);
        LibAccountConfig.UsageKey storage key = s.usageKeys[usageApiKeyHash];
        key.name = name;
        key.description = description;
        emit UsageApiKeyMetadataSet(master, usageApiKeyHash, name, description);
    }

    // ------------------------------------------------------------------ views

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
        (uint256 start, uint256 end) = LibPaging.bounds(keys.length(), pageNumber, pageSize);
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

    function _set(
        uint256 accountHash,
        uint256 usageHash,
        string calldata name,
        string calldata description,
        UsageKeyPermissions memory p
    ) private {
        uint256 master = LibAccess.authorizeMasterWrite(accountHash);
        LibAccess.requireNonZero(usageHash, "usageApiKeyHash");
        LibAccess.requireMetadata(bytes(name).length, bytes(description).length);
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        LibAccountConfig.Binding storage binding = s.bindings[usageHash];
        HashKind kind = binding.kind;
        if (kind == HashKind.None) {
            binding.master = master;
        } else if (
            binding.master != master ||
            (kind != HashKind.UsageKey && kind != HashKind.RemovedUsageKey)
        ) {
            revert AccountAlreadyExists(usageHash);
        }
        binding.kind = HashKind.UsageKey;

        LibAccountConfig.UsageKey storage key = s.usageKeys[usageHash];
        uint64 epoch = ++key.epoch; // a fresh flag map: nothing from an earlier setting survives
        uint8 wildcards = _storeGroups(key, epoch, p.manageIPFSIdsInGroups, LibAccountConfig.PERM_MANAGE_IPFS, 0);
        wildcards = _storeGroups(key, epoch, p.addPkpToGroups, LibAccountConfig.PERM_ADD_PKP, wildcards);
        wildcards = _storeGroups(key, epoch, p.removePkpFromGroups, LibAccountConfig.PERM_REMOVE_PKP, wildcards);
        wildcards = _storeGroups(key, epoch, p.executeInGroups, LibAccountConfig.PERM_EXECUTE, wildcards);
        key.wildcards = wildcards;
        key.manageIPFSIdsInGroups = p.manageIPFSIdsInGroups;
        key.addPkpToGroups = p.addPkpToGroups;
        key.removePkpFromGroups = p.removePkpFromGroups;
        key.executeInGroups = p.executeInGroups;
        key.expiration = p.expiration;
        key.createGroups = p.createGroups;
        key.deleteGroups = p.deleteGroups;
        key.createPKPs = p.createPKPs;
        key.name = name;
        key.description = description;
        s.balances[usageHash] = p.balance;
        s.accounts[master].usageKeys.add(usageHash);
        emit UsageApiKeySet(master, usageHash);
        emit UsageApiKeyPermissionsSet(master, usageHash, p);
        emit UsageApiKeyMetadataSet(master, usageHash, name, description);
    }

    /// @dev Record `perm` for every group id in `ids` (0 sets the wildcard bit); reject duplicates.
    function _storeGroups(
        LibAccountConfig.UsageKey storage key,
        uint64 epoch,
        uint256[] memory ids,
        uint8 perm,
        uint8 wildcards
    ) private returns (uint8) {
        string memory field = _fieldName(perm);
        LibAccess.requireMaxLength(ids.length, LibAccountConfig.MAX_USAGE_KEY_GROUPS, field);
        mapping(uint256 => uint8) storage flags = key.groupFlags[epoch];
        for (uint256 i; i < ids.length; ++i) {
            uint256 id = ids[i];
            if (id == 0) {
                if ((wildcards & perm) != 0) revert InvalidRequest(string.concat(field, ": duplicate group id"));
                wildcards |= perm;
            } else {
                uint8 current = flags[id];
                if ((current & perm) != 0) revert InvalidRequest(string.concat(field, ": duplicate group id"));
                flags[id] = current | perm;
            }
        }
        return wildcards;
    }

    function _fieldName(uint8 perm) private pure returns (string memory) {
        if (perm == LibAccountConfig.PERM_MANAGE_IPFS) return "manageIPFSIdsInGroups";
        if (perm == LibAccountConfig.PERM_ADD_PKP) return "addPkpToGroups";
        if (perm == LibAccountConfig.PERM_REMOVE_PKP) return "removePkpFromGroups";
        return "executeInGroups";
    }

    function _requireUsageKey(
        LibAccountConfig.Layout storage s,
        uint256 master,
        uint256 accountHash,
        uint256 usageHash
    ) private view {
        LibAccountConfig.Binding storage binding = s.bindings[usageHash];
        if (binding.kind != HashKind.UsageKey || binding.master != master) {
            revert UsageApiKeyDoesNotExist(accountHash, usageHash);
        }
    }
}
