// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {LibAccountConfig} from "../libraries/LibAccountConfig.sol";
import {LibAccess} from "../libraries/LibAccess.sol";
import {LibGroups} from "../libraries/LibGroups.sol";
import {LibPaging} from "../libraries/LibPaging.sol";
import {IActions} from "../interfaces/IActions.sol";

/// @title Actions (cid hashes) registered to an account: register, rename, remove, and list them
/// @notice Writes are master-key only. Views accept any hash that resolves to the account (master,
///         admin alias or usage key) and page as (pageNumber, pageSize): zero-based, pageSize
///         1..100, and an empty array past the end.
contract ActionsFacet is IActions {
    using EnumerableSet for EnumerableSet.UintSet;

    // ------------------------------------------------------------------ writes

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

    // ------------------------------------------------------------------ views

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

    // ------------------------------------------------------------------ internals

    function _setActionMetadata(uint256 master, uint256 cid, string calldata name, string calldata description)
        private
    {
        LibAccountConfig.Metadata storage meta = LibAccountConfig.layout().accounts[master].actionMeta[cid];
        meta.name = name;
        meta.description = description;
        emit ActionMetadataSet(master, cid, name, description);
    }

    function _actions(
        uint256 master,
        EnumerableSet.UintSet storage cids,
        uint256 pageNumber,
        uint256 pageSize
    ) private view returns (Metadata[] memory page) {
        (uint256 start, uint256 end) = LibPaging.bounds(cids.length(), pageNumber, pageSize);
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
}
