// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccountConfigErrors} from "./IAccountConfigErrors.sol";
import {IAccountConfigEvents} from "./IAccountConfigEvents.sol";
import {IAccountConfigTypes} from "./IAccountConfigTypes.sol";

/// @title Groups and their action and wallet lists: create, update, remove; group views
/// @notice Served by GroupsFacet (NatSpec of each function there; behaviour: docs/contract-behaviour.md).
interface IGroups is IAccountConfigErrors, IAccountConfigEvents, IAccountConfigTypes {
    // ---- writes ----
    function addGroup(
        uint256 apiKeyHash,
        string calldata name,
        string calldata description,
        uint256[] calldata cidHashes,
        address[] calldata pkpIds
    ) external returns (uint256 groupId);
    function updateGroup(
        uint256 accountApiKeyHash,
        uint256 groupId,
        string calldata name,
        string calldata description,
        uint256[] calldata cidHashes,
        address[] calldata pkpIds
    ) external;
    function updateGroupMetadata(
        uint256 accountApiKeyHash,
        uint256 groupId,
        string calldata name,
        string calldata description
    ) external;
    function removeGroup(uint256 apiKeyHash, uint256 groupId) external;
    function addActionToGroup(uint256 apiKeyHash, uint256 groupId, uint256 action) external;
    function removeActionFromGroup(uint256 apiKeyHash, uint256 groupId, uint256 action) external;
    function addPkpToGroup(uint256 apiKeyHash, uint256 groupId, address pkpId) external;
    function removePkpFromGroup(uint256 apiKeyHash, uint256 groupId, address pkpId) external;

    // ---- views ----
    function listGroups(
        uint256 accountApiKeyHash,
        uint256 pageNumber,
        uint256 pageSize
    ) external view returns (Metadata[] memory);
    function listGroupContents(
        uint256 accountApiKeyHash,
        uint256 groupId
    ) external view returns (GroupContents memory);
}
