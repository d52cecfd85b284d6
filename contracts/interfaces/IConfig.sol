// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccountConfigErrors} from "./IAccountConfigErrors.sol";
import {IAccountConfigEvents} from "./IAccountConfigEvents.sol";
import {IAccountConfigTypes} from "./IAccountConfigTypes.sol";

/// @title Operational configuration: api payers, operators, payer pool sizing, node configuration
/// @notice Served by ConfigFacet (NatSpec of each function there; behaviour: docs/contract-behaviour.md).
interface IConfig is IAccountConfigErrors, IAccountConfigEvents, IAccountConfigTypes {
    // ---- writes ----
    function setApiPayers(address[] calldata newApiPayers) external;
    function setAdminApiPayerAccount(address newAdminApiPayerAccount) external;
    function setConfigOperator(address newConfigOperator) external;
    function setRequestedApiPayerCount(uint256 newRequestedApiPayerCount) external;
    function setRebalanceAmount(uint256 newRebalanceAmount) external;
    function setNodeConfiguration(string calldata key, string calldata value) external;
    function removeNodeConfiguration(string calldata key) external;
    function serverTrigger(uint256 value) external;

    // ---- views ----
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
}
