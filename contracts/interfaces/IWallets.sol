// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccountConfigErrors} from "./IAccountConfigErrors.sol";
import {IAccountConfigEvents} from "./IAccountConfigEvents.sol";
import {IAccountConfigTypes} from "./IAccountConfigTypes.sol";

/// @title Wallets (PKPs) registered to an account: register with a derivation value; wallet lists
/// @notice Served by WalletsFacet (NatSpec of each function there; behaviour: docs/contract-behaviour.md).
interface IWallets is IAccountConfigErrors, IAccountConfigEvents, IAccountConfigTypes {
    // ---- writes ----
    function registerWalletDerivation(
        uint256 apiKeyHash,
        address pkpId,
        uint256 derivationPath,
        string calldata name,
        string calldata description
    ) external;

    // ---- views ----
    function getWalletDerivation(uint256 apiKeyHash, address walletAddress) external view returns (uint256);
    function pkpCount() external view returns (uint256);
    function allPkpIdsAt(uint256 index) external view returns (address);
    function listPkps(
        uint256 accountApiKeyHash,
        uint256 pageNumber,
        uint256 pageSize
    ) external view returns (WalletData[] memory);
    function listWalletsInGroup(
        uint256 accountApiKeyHash,
        uint256 groupId,
        uint256 pageNumber,
        uint256 pageSize
    ) external view returns (WalletData[] memory);
}
