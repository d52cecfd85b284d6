// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccountConfigErrors} from "./IAccountConfigErrors.sol";
import {IAccountConfigEvents} from "./IAccountConfigEvents.sol";
import {IAccountConfigTypes} from "./IAccountConfigTypes.sol";

/// @title Usage API keys of an account: set, remove, rename; usage key views
/// @notice Served by UsageKeysFacet (NatSpec of each function there; behaviour: docs/contract-behaviour.md).
interface IUsageKeys is IAccountConfigErrors, IAccountConfigEvents, IAccountConfigTypes {
    // ---- writes ----
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
    ) external;
    function removeUsageApiKey(uint256 accountApiKeyHash, uint256 usageApiKeyHash) external;
    function updateUsageApiKeyMetadata(
        uint256 accountApiKeyHash,
        uint256 usageApiKeyHash,
        string calldata name,
        string calldata description
    ) external;

    // ---- views ----
    function listApiKeys(
        uint256 accountApiKeyHash,
        uint256 pageNumber,
        uint256 pageSize
    ) external view returns (UsageApiKey[] memory);
    function getUsageApiKey(
        uint256 accountApiKeyHash,
        uint256 usageApiKeyHash
    ) external view returns (UsageApiKey memory);
}
