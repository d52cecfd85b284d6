// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccountConfigErrors} from "./IAccountConfigErrors.sol";
import {IAccountConfigEvents} from "./IAccountConfigEvents.sol";
import {IAccountConfigTypes} from "./IAccountConfigTypes.sol";

/// @title Pricing and on-chain balances
/// @notice Served by BillingFacet (NatSpec of each function there; behaviour: docs/contract-behaviour.md).
interface IBilling is IAccountConfigErrors, IAccountConfigEvents, IAccountConfigTypes {
    // ---- writes ----
    function setPricingOperator(address newPricingOperator) external;
    function setPricing(uint256 pricingItemId, uint256 price) external;
    function creditApiKey(uint256 apiKeyHash, uint256 amount) external;
    function debitApiKey(uint256 apiKeyHash, uint256 amount) external;

    // ---- views ----
    function apiKeyBalance(uint256 apiKeyHash) external view returns (uint256);
    function getPricing(uint256 pricingItemId) external view returns (uint256);
    function pricingAt(uint256 index) external view returns (uint256);
    function pricingItemCount() external view returns (uint256);
    function pricingItemIds() external view returns (uint256[] memory);
    function pricingOperator() external view returns (address);
}
