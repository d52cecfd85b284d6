// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccountConfigErrors} from "./IAccountConfigErrors.sol";
import {IAccountConfigEvents} from "./IAccountConfigEvents.sol";
import {IAccountConfigTypes} from "./IAccountConfigTypes.sol";

/// @title Actions (cid hashes) registered to an account: register, rename, remove; action lists
/// @notice Served by ActionsFacet (NatSpec of each function there; behaviour: docs/contract-behaviour.md).
interface IActions is IAccountConfigErrors, IAccountConfigEvents, IAccountConfigTypes {
    // ---- writes ----
    function addAction(
        uint256 accountApiKeyHash,
        string calldata name,
        string calldata description,
        uint256 actionHash
    ) external;
    function removeAction(uint256 accountApiKeyHash, uint256 actionHash) external;
    function updateActionMetadata(
        uint256 accountApiKeyHash,
        uint256 actionHash,
        uint256 groupId,
        string calldata name,
        string calldata description
    ) external;

    // ---- views ----
    function listActions(
        uint256 accountApiKeyHash,
        uint256 pageNumber,
        uint256 pageSize
    ) external view returns (Metadata[] memory);
    function listActionsInGroup(
        uint256 accountApiKeyHash,
        uint256 groupId,
        uint256 pageNumber,
        uint256 pageSize
    ) external view returns (Metadata[] memory);
}
