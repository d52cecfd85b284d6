// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {LibAccountConfig} from "../libraries/LibAccountConfig.sol";
import {LibAccess} from "../libraries/LibAccess.sol";
import {LibDiamond} from "../libraries/LibDiamond.sol";
import {IBilling} from "../interfaces/IBilling.sol";

/// @title Pricing and on-chain balances
/// @notice Balances are kept per account (master hash; an admin alias credits its master) and per
///         usage key (its own balance, as set by setUsageApiKey).
contract BillingFacet is IBilling {
    using EnumerableSet for EnumerableSet.UintSet;

    /// @notice Set the pricing operator. Owner only.
    /// @param newPricingOperator the new operator (zero clears it)
    function setPricingOperator(address newPricingOperator) external {
        LibDiamond.enforceIsContractOwner();
        LibAccountConfig.layout().pricingOperator = newPricingOperator;
        emit PricingOperatorUpdated(newPricingOperator);
    }

    /// @notice Set the price of a pricing item. Owner or pricing operator.
    /// @param pricingItemId the item (e.g. 0 = management write, 1 = execution second)
    /// @param price the price in the ledger's unit
    function setPricing(uint256 pricingItemId, uint256 price) external {
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        if (msg.sender != s.pricingOperator && msg.sender != LibDiamond.contractOwner()) {
            revert OnlyPricingOperatorOrOwner(msg.sender);
        }
        s.pricingItems.add(pricingItemId);
        s.prices[pricingItemId] = price;
        emit PricingUpdated(pricingItemId, price);
    }

    /// @notice Credit `amount` to the balance `apiKeyHash` names. Api payer, pricing operator or owner.
    /// @param apiKeyHash a master, admin alias or usage key hash
    /// @param amount non-zero amount
    function creditApiKey(uint256 apiKeyHash, uint256 amount) external {
        uint256 target = _authorizeBalanceChange(apiKeyHash, amount);
        LibAccountConfig.layout().balances[target] += amount;
        emit ApiKeyCredited(target, amount);
    }

    /// @notice Debit `amount` from the balance `apiKeyHash` names; reverts InsufficientBalance when
    ///         it exceeds the balance. Api payer, pricing operator or owner.
    /// @param apiKeyHash a master, admin alias or usage key hash
    /// @param amount non-zero amount
    function debitApiKey(uint256 apiKeyHash, uint256 amount) external {
        uint256 target = _authorizeBalanceChange(apiKeyHash, amount);
        mapping(uint256 => uint256) storage balances = LibAccountConfig.layout().balances;
        uint256 balance = balances[target];
        if (amount > balance) revert InsufficientBalance(apiKeyHash, amount);
        balances[target] = balance - amount;
        emit ApiKeyDebited(target, amount);
    }

    /// @notice The balance `apiKeyHash` names (its account's, or a usage key's own).
    /// @param apiKeyHash a master, admin alias or usage key hash
    function apiKeyBalance(uint256 apiKeyHash) external view returns (uint256) {
        return LibAccountConfig.layout().balances[_balanceKey(apiKeyHash)];
    }

    /// @notice The price of `pricingItemId` (0 when unset).
    /// @param pricingItemId the item
    function getPricing(uint256 pricingItemId) external view returns (uint256) {
        return LibAccountConfig.layout().prices[pricingItemId];
    }

    /// @notice The price of the `index`-th pricing item ever set (zero-based, in order of first set).
    /// @param index below pricingItemCount()
    function pricingAt(uint256 index) external view returns (uint256) {
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        if (index >= s.pricingItems.length()) revert InvalidRequest("index: out of range");
        return s.prices[s.pricingItems.at(index)];
    }

    /// @notice Number of pricing items ever set.
    function pricingItemCount() external view returns (uint256) {
        return LibAccountConfig.layout().pricingItems.length();
    }

    /// @notice Every pricing item id, in order of first set.
    function pricingItemIds() external view returns (uint256[] memory) {
        return LibAccountConfig.layout().pricingItems.values();
    }

    /// @notice The pricing operator.
    function pricingOperator() external view returns (address) {
        return LibAccountConfig.layout().pricingOperator;
    }

    function _authorizeBalanceChange(uint256 hash, uint256 amount) private view returns (uint256 target) {
        if (msg.sender != LibAccountConfig.layout().pricingOperator && !LibAccess.isApiPayerOrOwner(msg.sender)) {
            revert OnlyApiPayerOrPricingOperator(msg.sender);
        }
        LibAccess.requireNonZero(amount, "amount");
        return _balanceKey(hash);
    }

    function _balanceKey(uint256 hash) private view returns (uint256) {
        (uint256 master, HashKind kind) = LibAccess.resolve(hash);
        if (master == 0) revert AccountDoesNotExist(hash);
        return kind == HashKind.UsageKey ? hash : master;
    }
}
