// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccountConfigErrors} from "./IAccountConfigErrors.sol";
import {IAccountConfigEvents} from "./IAccountConfigEvents.sol";
import {IAccountConfigTypes} from "./IAccountConfigTypes.sol";

/// @title Accounts: create, convert to ChainSecured, transfer, reclaim an alias; account views
/// @notice Served by AccountsFacet (NatSpec of each function there; behaviour: docs/contract-behaviour.md).
interface IAccounts is IAccountConfigErrors, IAccountConfigEvents, IAccountConfigTypes {
    // ---- writes ----
    function newAccount(
        uint256 apiKeyHash,
        bool managed,
        string calldata accountName,
        string calldata accountDescription,
        address adminWalletAddress
    ) external;
    function newChainSecuredAccount(string calldata accountName, string calldata accountDescription) external;
    function convertToChainSecuredAccount(uint256 apiKeyHash, address newAdminWalletAddress) external;
    function transferChainSecuredAccountOwnership(uint256 apiKeyHash, address newAdminWalletAddress) external;
    function reclaimAddressAlias() external;

    // ---- views ----
    function accountCount() external view returns (uint256);
    function indexToAccountHashAt(uint256 index) external view returns (uint256);
    function accountExistsAndIsMutable(uint256 apiKeyHash) external view returns (bool);
    function accountExists(uint256 apiKeyHash) external view returns (bool);
    function getAccountWalletAddress(uint256 apiKeyHash) external view returns (address);
    function getAccount(uint256 apiKeyHash) external view returns (AccountInfo memory);
    function resolveApiKeyHash(uint256 apiKeyHash) external view returns (uint256 master, HashKind kind);
}
