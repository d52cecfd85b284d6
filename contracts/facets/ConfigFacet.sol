// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {LibAccountConfig} from "../libraries/LibAccountConfig.sol";
import {LibAccess} from "../libraries/LibAccess.sol";
import {LibDiamond} from "../libraries/LibDiamond.sol";
import {IConfig} from "../interfaces/IConfig.sol";

/// @title Operational configuration: api payers, operators, payer pool sizing, node configuration
contract ConfigFacet is IConfig {
    using EnumerableSet for EnumerableSet.AddressSet;
    using EnumerableSet for EnumerableSet.StringSet;

    // ------------------------------------------------------------------ writes

    /// @notice Replace the api payer list (at most 100 distinct non-zero addresses).
    /// @dev Owner, config operator or admin api payer.
    /// @param newApiPayers the complete new list
    function setApiPayers(address[] calldata newApiPayers) external {
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        if (msg.sender != s.adminApiPayer) _enforceOperatorOrOwner(s);
        LibAccess.requireMaxLength(newApiPayers.length, LibAccountConfig.MAX_API_PAYERS, "newApiPayers");
        s.apiPayers.clear();
        for (uint256 i; i < newApiPayers.length; ++i) {
            LibAccess.requireNonZeroAddress(newApiPayers[i], "newApiPayers");
            if (!s.apiPayers.add(newApiPayers[i])) revert InvalidRequest("newApiPayers: duplicate address");
        }
        emit ApiPayersUpdated(newApiPayers);
    }

    /// @notice Set the admin api payer (funds and manages the payer pool). Owner or config operator.
    /// @param newAdminApiPayerAccount the new admin payer (zero clears it)
    function setAdminApiPayerAccount(address newAdminApiPayerAccount) external {
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        _enforceOperatorOrOwner(s);
        s.adminApiPayer = newAdminApiPayerAccount;
        emit AdminApiPayerUpdated(newAdminApiPayerAccount);
    }

    /// @notice Set the config operator. Owner only.
    /// @param newConfigOperator the new operator (zero clears it)
    function setConfigOperator(address newConfigOperator) external {
        LibDiamond.enforceIsContractOwner();
        LibAccountConfig.layout().configOperator = newConfigOperator;
        emit ConfigOperatorUpdated(newConfigOperator);
    }

    /// @notice Set how many api payers the relayer should keep. Owner or config operator.
    /// @param newRequestedApiPayerCount the target pool size
    function setRequestedApiPayerCount(uint256 newRequestedApiPayerCount) external {
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        _enforceOperatorOrOwner(s);
        s.requestedApiPayerCount = newRequestedApiPayerCount;
        emit RequestedApiPayerCountUpdated(newRequestedApiPayerCount);
    }

    /// @notice Set the amount (wei) the admin payer tops a payer up by. Owner or config operator.
    /// @param newRebalanceAmount amount in wei
    function setRebalanceAmount(uint256 newRebalanceAmount) external {
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        _enforceOperatorOrOwner(s);
        s.rebalanceAmount = newRebalanceAmount;
        emit RebalanceAmountUpdated(newRebalanceAmount);
    }

    /// @notice Set a node configuration entry (at most 100 keys; key 1..128 bytes, value at most
    ///         1024 bytes). Owner or config operator.
    /// @param key the entry name
    /// @param value the entry value
    function setNodeConfiguration(string calldata key, string calldata value) external {
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        _enforceOperatorOrOwner(s);
        if (bytes(key).length == 0) revert InvalidRequest("key: empty");
        LibAccess.requireTextLength(bytes(key).length, LibAccountConfig.MAX_NAME_BYTES, "key");
        LibAccess.requireTextLength(bytes(value).length, LibAccountConfig.MAX_NODE_CONFIG_VALUE_BYTES, "value");
        if (s.nodeConfigKeys.add(key)) {
            uint256 count = s.nodeConfigKeys.length();
            LibAccess.requireMaxLength(count, LibAccountConfig.MAX_NODE_CONFIG_KEYS, "node configuration keys");
        }
        s.nodeConfig[key] = value;
        emit NodeConfigurationSet(key, value, false);
    }

    /// @notice Remove a node configuration entry. Owner or config operator.
    /// @param key an existing entry name
    function removeNodeConfiguration(string calldata key) external {
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        _enforceOperatorOrOwner(s);
        if (!s.nodeConfigKeys.remove(key)) revert InvalidRequest("key: not set");
        delete s.nodeConfig[key];
        emit NodeConfigurationSet(key, "", true);
    }

    /// @notice Emit ServerTriggered for off-chain servers to act on. Owner, config operator, admin
    ///         api payer or an api payer.
    /// @param value an application-defined value
    function serverTrigger(uint256 value) external {
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        if (
            msg.sender != s.configOperator &&
            msg.sender != s.adminApiPayer &&
            !LibAccess.isApiPayerOrOwner(msg.sender)
        ) revert OnlyApiPayerOrOwner(msg.sender);
        emit ServerTriggered(value, msg.sender);
    }

    // ------------------------------------------------------------------ views

    /// @notice The api payer list.
    // solhint-disable-next-line func-name-mixedcase
    function api_payers() external view returns (address[] memory) {
        return LibAccountConfig.layout().apiPayers.values();
    }

    /// @notice Number of api payers.
    function apiPayerCount() external view returns (uint256) {
        return LibAccountConfig.layout().apiPayers.length();
    }

    /// @notice Whether `who` is an api payer.
    /// @param who any address
    function isApiPayer(address who) external view returns (bool) {
        return LibAccountConfig.layout().apiPayers.contains(who);
    }

    /// @notice The admin api payer.
    function adminApiPayerAccount() external view returns (address) {
        return LibAccountConfig.layout().adminApiPayer;
    }

    /// @notice The config operator.
    function configOperator() external view returns (address) {
        return LibAccountConfig.layout().configOperator;
    }

    /// @notice The requested api payer pool size.
    function requestedApiPayerCount() external view returns (uint256) {
        return LibAccountConfig.layout().requestedApiPayerCount;
    }

    /// @notice The payer top-up amount in wei.
    function rebalanceAmount() external view returns (uint256) {
        return LibAccountConfig.layout().rebalanceAmount;
    }

    /// @notice Every node configuration key.
    function nodeConfigurationKeys() external view returns (string[] memory) {
        return LibAccountConfig.layout().nodeConfigKeys.values();
    }

    /// @notice The value of `key` ("" when unset).
    /// @param key an entry name
    function nodeConfigurationValue(string calldata key) external view returns (string memory) {
        return LibAccountConfig.layout().nodeConfig[key];
    }

    /// @notice Every node configuration entry.
    function nodeConfigurationValues() external view returns (KeyValue[] memory entries) {
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        uint256 n = s.nodeConfigKeys.length();
        entries = new KeyValue[](n);
        for (uint256 i; i < n; ++i) {
            string memory key = s.nodeConfigKeys.at(i);
            entries[i] = KeyValue(key, s.nodeConfig[key]);
        }
    }

    function _enforceOperatorOrOwner(LibAccountConfig.Layout storage s) private view {
        if (msg.sender != s.configOperator && msg.sender != LibDiamond.contractOwner()) {
            revert OnlyConfigOperatorOrOwner(msg.sender);
        }
    }
}
