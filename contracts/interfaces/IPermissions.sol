// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccountConfigErrors} from "./IAccountConfigErrors.sol";
import {IAccountConfigEvents} from "./IAccountConfigEvents.sol";
import {IAccountConfigTypes} from "./IAccountConfigTypes.sol";

/// @title Execution permission views: may this key run this action and sign with this wallet?
/// @notice Served by PermissionsFacet (NatSpec of each function there; behaviour: docs/contract-behaviour.md).
interface IPermissions is IAccountConfigErrors, IAccountConfigEvents, IAccountConfigTypes {
    function canExecuteAction(uint256 apiKeyHash, uint256 cidHash) external view returns (bool);
    function canUseWalletInAction(
        uint256 apiKeyHash,
        uint256 cidHash,
        address walletAddress
    ) external view returns (bool);
    function canExecuteActionAndUseWallet(
        uint256 apiKeyHash,
        uint256 cidHash,
        address walletAddress
    ) external view returns (bool canExecute, bool canUseWallet);
    function canExecuteActionFast(uint256 apiKeyHash, uint256 cidHash) external view returns (bool);
    function canUseWalletInActionFast(
        uint256 apiKeyHash,
        uint256 cidHash,
        address walletAddress
    ) external view returns (bool);
    function groupIdsForAction(uint256 apiKeyHash, uint256 cidHash) external view returns (uint256[] memory);
    function groupIdsForActionAndWallet(
        uint256 apiKeyHash,
        uint256 cidHash,
        address walletAddress
    ) external view returns (uint256[] memory);
    function apiKeyCanExecuteForAnyGroup(uint256 apiKeyHash, uint256[] calldata groupIds) external view returns (bool);
}
