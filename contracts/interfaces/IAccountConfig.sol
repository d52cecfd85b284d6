// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccountConfigErrors} from "./IAccountConfigErrors.sol";
import {IAccountConfigEvents} from "./IAccountConfigEvents.sol";
import {IAccountConfigTypes} from "./IAccountConfigTypes.sol";
import {IDiamondCut, IDiamondLoupe, IERC165, IERC173} from "./IDiamond.sol";

/// @title The complete external surface of the AccountConfig diamond
/// @notice Apps bind to this one interface at the diamond's address. A test asserts that its
///         selectors equal the union of all facets' selectors, so it cannot drift from the facets.
///         See the facets for the NatSpec of each function.
interface IAccountConfig is
    IAccountConfigErrors,
    IAccountConfigEvents,
    IAccountConfigTypes,
    IDiamondCut,
    IDiamondLoupe,
    IERC165,
    IERC173
{
    // ---- AccountsFacet ----
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

    // ---- WritesFacet ----
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
    function registerWalletDerivation(
        uint256 apiKeyHash,
        address pkpId,
        uint256 derivationPath,
        string calldata name,
        string calldata description
    ) external;

    // ---- GroupsFacet ----
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

    // ---- UsageKeysFacet ----
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

    // ---- ReadsFacet ----
    function accountCount() external view returns (uint256);
    function indexToAccountHashAt(uint256 index) external view returns (uint256);
    function accountExistsAndIsMutable(uint256 apiKeyHash) external view returns (bool);
    function accountExists(uint256 apiKeyHash) external view returns (bool);
    function getAccountWalletAddress(uint256 apiKeyHash) external view returns (address);
    function getAccount(uint256 apiKeyHash) external view returns (AccountInfo memory);
    function resolveApiKeyHash(uint256 apiKeyHash) external view returns (uint256 master, HashKind kind);
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
    function listGroups(
        uint256 accountApiKeyHash,
        uint256 pageNumber,
        uint256 pageSize
    ) external view returns (Metadata[] memory);
    function listGroupContents(
        uint256 accountApiKeyHash,
        uint256 groupId
    ) external view returns (GroupContents memory);
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
    function listApiKeys(
        uint256 accountApiKeyHash,
        uint256 pageNumber,
        uint256 pageSize
    ) external view returns (UsageApiKey[] memory);
    function getUsageApiKey(
        uint256 accountApiKeyHash,
        uint256 usageApiKeyHash
    ) external view returns (UsageApiKey memory);

    // ---- PermissionsFacet ----
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

    // ---- ConfigFacet ----
    function setApiPayers(address[] calldata newApiPayers) external;
    function setAdminApiPayerAccount(address newAdminApiPayerAccount) external;
    function setConfigOperator(address newConfigOperator) external;
    function setRequestedApiPayerCount(uint256 newRequestedApiPayerCount) external;
    function setRebalanceAmount(uint256 newRebalanceAmount) external;
    function setNodeConfiguration(string calldata key, string calldata value) external;
    function removeNodeConfiguration(string calldata key) external;
    function serverTrigger(uint256 value) external;
    // solhint-disable-next-line func-name-mixedcase
    function api_payers() external view returns (address[] memory);
    function apiPayerCount() external view returns (uint256);
    function isApiPayer(address who) external view returns (bool);
    function adminApiPayerAccount() external view returns (address);
    function configOperator() external view returns (address);
    function requestedApiPayerCount() external view returns (uint256);
    function rebalanceAmount() external view returns (uint256);
    function nodeConfigurationKeys() external view returns (string[] memory);
    function nodeConfigurationValue(string calldata key) external view returns (string memory);
    function nodeConfigurationValues() external view returns (KeyValue[] memory);

    // ---- BillingFacet ----
    function setPricingOperator(address newPricingOperator) external;
    function setPricing(uint256 pricingItemId, uint256 price) external;
    function creditApiKey(uint256 apiKeyHash, uint256 amount) external;
    function debitApiKey(uint256 apiKeyHash, uint256 amount) external;
    function apiKeyBalance(uint256 apiKeyHash) external view returns (uint256);
    function getPricing(uint256 pricingItemId) external view returns (uint256);
    function pricingAt(uint256 index) external view returns (uint256);
    function pricingItemCount() external view returns (uint256);
    function pricingItemIds() external view returns (uint256[] memory);
    function pricingOperator() external view returns (address);

    // ---- BatchFacet ----
    function batchCalls(
        bytes[] calldata calls
    ) external returns (bool[] memory success, bytes[] memory results, uint256[] memory gasUsed);
}
