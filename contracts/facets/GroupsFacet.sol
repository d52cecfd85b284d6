// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {LibAccountConfig} from "../libraries/LibAccountConfig.sol";
import {LibAccess} from "../libraries/LibAccess.sol";
import {LibGroups} from "../libraries/LibGroups.sol";
import {LibPaging} from "../libraries/LibPaging.sol";
import {IGroups} from "../interfaces/IGroups.sol";

/// @title Groups: create, update, remove, their action and wallet lists, and the group views
/// @notice Group ids come from one counter shared by all accounts (1, 2, 3, ...; never reused).
///         In a group's lists, cid hash 0 means "every action registered to the account" and
///         address(0) means "every wallet registered to the account". Views accept any hash that
///         resolves to the account; a group's action and wallet pages are ActionsFacet's
///         listActionsInGroup and WalletsFacet's listWalletsInGroup.
contract GroupsFacet is IGroups {
    using EnumerableSet for EnumerableSet.UintSet;
    using EnumerableSet for EnumerableSet.AddressSet;

    // ------------------------------------------------------------------ writes

    /// @notice Create a group. Master key, or a usage key with createGroups.
    /// @param apiKeyHash the caller's hash
    /// @param name at most 128 bytes
    /// @param description at most 1024 bytes
    /// @param cidHashes at most 10 cid hashes (0 = all actions); the master registers unregistered
    ///        ones, a usage key listing one reverts NotMasterAccount
    /// @param pkpIds at most 10 wallets registered to the account (address(0) = all wallets)
    /// @return groupId the new group's id
    function addGroup(
        uint256 apiKeyHash,
        string calldata name,
        string calldata description,
        uint256[] calldata cidHashes,
        address[] calldata pkpIds
    ) external returns (uint256 groupId) {
        (uint256 master, bool full) = LibAccess.authorizeWrite(apiKeyHash);
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        if (!full && !s.usageKeys[apiKeyHash].createGroups) revert NotAllowedToCreateGroup(apiKeyHash);
        LibAccess.requireMetadata(bytes(name).length, bytes(description).length);
        groupId = ++s.nextGroupId;
        LibAccountConfig.Group storage group = s.groups[groupId];
        group.account = master;
        group.name = name;
        group.description = description;
        s.accounts[master].groups.add(groupId);
        emit GroupAdded(master, groupId);
        emit GroupMetadataSet(master, groupId, name, description);
        LibGroups.addLists(master, apiKeyHash, full, groupId, cidHashes, pkpIds);
    }

    /// @notice Replace a group's name, description and both lists. Master key only.
    /// @param accountApiKeyHash the master hash (or admin alias)
    /// @param groupId a group of the account
    /// @param name at most 128 bytes
    /// @param description at most 1024 bytes
    /// @param cidHashes the new action list, at most 10 (0 = all actions)
    /// @param pkpIds the new wallet list, at most 10 (address(0) = all wallets)
    function updateGroup(
        uint256 accountApiKeyHash,
        uint256 groupId,
        string calldata name,
        string calldata description,
        uint256[] calldata cidHashes,
        address[] calldata pkpIds
    ) external {
        uint256 master = LibAccess.authorizeMasterWrite(accountApiKeyHash);
        _setMetadata(master, accountApiKeyHash, groupId, name, description);
        LibGroups.clearLists(master, groupId);
        LibGroups.addLists(master, accountApiKeyHash, true, groupId, cidHashes, pkpIds);
    }

    /// @notice Change a group's name and description. Master key only.
    /// @param accountApiKeyHash the master hash (or admin alias)
    /// @param groupId a group of the account
    /// @param name at most 128 bytes
    /// @param description at most 1024 bytes
    function updateGroupMetadata(
        uint256 accountApiKeyHash,
        uint256 groupId,
        string calldata name,
        string calldata description
    ) external {
        uint256 master = LibAccess.authorizeMasterWrite(accountApiKeyHash);
        _setMetadata(master, accountApiKeyHash, groupId, name, description);
    }

    /// @notice Remove a group and everything it lists. Master key, or a usage key with deleteGroups.
    /// @param apiKeyHash the caller's hash
    /// @param groupId a group of the account
    function removeGroup(uint256 apiKeyHash, uint256 groupId) external {
        (uint256 master, bool full) = LibAccess.authorizeWrite(apiKeyHash);
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        if (!full && !s.usageKeys[apiKeyHash].deleteGroups) revert NotAllowedToDeleteGroup(apiKeyHash);
        LibAccountConfig.Group storage group = LibAccess.requireGroup(master, apiKeyHash, groupId);
        LibGroups.clearLists(master, groupId);
        delete group.account;
        delete group.name;
        delete group.description;
        s.accounts[master].groups.remove(groupId);
        emit GroupRemoved(master, groupId);
    }

    /// @notice Add an action (cid hash; 0 = all actions) to a group. The master registers an
    ///         unregistered cid to the account on the way; a usage key may only add registered
    ///         cids (else NotMasterAccount). No-op when already listed.
    /// @dev Master key, or a usage key with manageIPFSIdsInGroups for this group (or 0).
    /// @param apiKeyHash the caller's hash
    /// @param groupId a group of the account
    /// @param action the cid hash
    function addActionToGroup(uint256 apiKeyHash, uint256 groupId, uint256 action) external {
        (uint256 master, bool full) = _authorizeGroupWrite(apiKeyHash, groupId, LibAccountConfig.PERM_MANAGE_IPFS);
        LibGroups.addAction(master, apiKeyHash, full, groupId, action);
    }

    /// @notice Remove an action (cid hash) from a group.
    /// @dev Master key, or a usage key with manageIPFSIdsInGroups for this group (or 0).
    /// @param apiKeyHash the caller's hash
    /// @param groupId a group of the account
    /// @param action a cid hash the group lists
    function removeActionFromGroup(uint256 apiKeyHash, uint256 groupId, uint256 action) external {
        (uint256 master, ) = _authorizeGroupWrite(apiKeyHash, groupId, LibAccountConfig.PERM_MANAGE_IPFS);
        if (!LibGroups.removeAction(master, groupId, action)) revert ActionDoesNotExist(apiKeyHash, groupId, action);
    }

    /// @notice Add a wallet registered to the account (or address(0) = all wallets) to a group.
    ///         No-op when already listed.
    /// @dev Master key, or a usage key with addPkpToGroups for this group (or 0).
    /// @param apiKeyHash the caller's hash
    /// @param groupId a group of the account
    /// @param pkpId the wallet address
    function addPkpToGroup(uint256 apiKeyHash, uint256 groupId, address pkpId) external {
        (uint256 master, ) = _authorizeGroupWrite(apiKeyHash, groupId, LibAccountConfig.PERM_ADD_PKP);
        LibGroups.addWallet(master, apiKeyHash, groupId, pkpId);
    }

    /// @notice Remove a wallet from a group.
    /// @dev Master key, or a usage key with removePkpFromGroups for this group (or 0).
    /// @param apiKeyHash the caller's hash
    /// @param groupId a group of the account
    /// @param pkpId a wallet the group lists
    function removePkpFromGroup(uint256 apiKeyHash, uint256 groupId, address pkpId) external {
        (uint256 master, ) = _authorizeGroupWrite(apiKeyHash, groupId, LibAccountConfig.PERM_REMOVE_PKP);
        if (!LibGroups.removeWallet(master, groupId, pkpId)) revert PkpDoesNotExist(apiKeyHash, groupId, pkpId);
    }

    // ------------------------------------------------------------------ views

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
        (uint256 start, uint256 end) = LibPaging.bounds(ids.length(), pageNumber, pageSize);
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

    // ------------------------------------------------------------------ internals

    function _authorizeGroupWrite(
        uint256 hash,
        uint256 groupId,
        uint8 perm
    ) private view returns (uint256 master, bool full) {
        (master, full) = LibAccess.authorizeWrite(hash);
        LibAccess.requireGroup(master, hash, groupId);
        if (full || LibAccess.hasGroupPermission(hash, groupId, perm)) return (master, full);
        if (perm == LibAccountConfig.PERM_MANAGE_IPFS) revert NotAllowedToManageIPFSIdsInGroup(hash, groupId);
        if (perm == LibAccountConfig.PERM_ADD_PKP) revert NotAllowedToAddPkpToGroup(hash, groupId);
        revert NotAllowedToRemovePkpFromGroup(hash, groupId);
    }

    function _setMetadata(
        uint256 master,
        uint256 hash,
        uint256 groupId,
        string calldata name,
        string calldata description
    ) private {
        LibAccountConfig.Group storage group = LibAccess.requireGroup(master, hash, groupId);
        LibAccess.requireMetadata(bytes(name).length, bytes(description).length);
        group.name = name;
        group.description = description;
        emit GroupUpdated(master, groupId);
        emit GroupMetadataSet(master, groupId, name, description);
    }
}
