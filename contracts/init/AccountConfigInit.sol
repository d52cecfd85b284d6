// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IDiamondCut, IDiamondLoupe, IERC165, IERC173} from "../interfaces/IDiamond.sol";
import {IAccountConfigErrors} from "../interfaces/IAccountConfigErrors.sol";
import {IAccountConfigEvents} from "../interfaces/IAccountConfigEvents.sol";
import {IAccountConfigTypes} from "../interfaces/IAccountConfigTypes.sol";
import {LibAccountConfig} from "../libraries/LibAccountConfig.sol";
import {LibAccess} from "../libraries/LibAccess.sol";
import {LibDiamond} from "../libraries/LibDiamond.sol";

/// @title Versioned initializer, run once per version through diamondCut's delegatecall
/// @notice initializeV1 sets up a fresh diamond (ERC-165 flags, operators, the first api payers)
///         at the latest storage version. initializeV2 brings a version 1 diamond to version 2.
///         Version 2 adds Account.masterWallet (the wallet an unmanaged account's master hash
///         belongs to); for accounts made before it the deploy script reads the wallets from the
///         AccountCreated / AccountConvertedToChainSecured logs and passes them here (more than fit
///         in one transaction go through recordLegacyMasterWallets). Until recorded, such a master
///         hash executes nothing (LibAccess.masterHoldsAuthority).
contract AccountConfigInit is IAccountConfigErrors, IAccountConfigEvents {
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @notice The storage version this initializer brings the diamond to.
    uint64 public constant VERSION = 2;

    /// @notice The wallet the master hash of an unmanaged account made before version 2 belongs to:
    ///         the admin it was created with, or the wallet it was converted to.
    struct LegacyMasterWallet {
        uint256 master;
        address wallet;
    }

    struct InitArgs {
        address configOperator;
        address pricingOperator;
        address adminApiPayer;
        address[] apiPayers;
    }

    /// @notice Initialise a fresh diamond at the latest storage version (a fresh diamond has no
    ///         accounts to migrate). Reverts AlreadyInitialized when the diamond is initialised.
    /// @param args operators and the initial api payer list (at most 100, distinct, non-zero)
    function initializeV1(InitArgs calldata args) external {
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        if (s.initializedVersion != 0) revert AlreadyInitialized(1, s.initializedVersion);
        s.initializedVersion = VERSION;

        LibDiamond.DiamondStorage storage ds = LibDiamond.diamondStorage();
        ds.supportedInterfaces[type(IERC165).interfaceId] = true;
        ds.supportedInterfaces[type(IDiamondCut).interfaceId] = true;
        ds.supportedInterfaces[type(IDiamondLoupe).interfaceId] = true;
        ds.supportedInterfaces[type(IERC173).interfaceId] = true;

        s.configOperator = args.configOperator;
        emit ConfigOperatorUpdated(args.configOperator);
        s.pricingOperator = args.pricingOperator;
        emit PricingOperatorUpdated(args.pricingOperator);
        s.adminApiPayer = args.adminApiPayer;
        emit AdminApiPayerUpdated(args.adminApiPayer);
        LibAccess.requireMaxLength(args.apiPayers.length, LibAccountConfig.MAX_API_PAYERS, "apiPayers");
        for (uint256 i; i < args.apiPayers.length; ++i) {
            LibAccess.requireNonZeroAddress(args.apiPayers[i], "apiPayers");
            if (!s.apiPayers.add(args.apiPayers[i])) revert InvalidRequest("apiPayers: duplicate address");
        }
        emit ApiPayersUpdated(args.apiPayers);
        emit Initialized(VERSION);
    }

    /// @notice Bring a version 1 diamond to version 2 and record the master wallets of the
    ///         unmanaged accounts made before it. Reverts AlreadyInitialized unless the diamond is at
    ///         version 1.
    /// @param legacy (master, wallet) pairs; see recordLegacyMasterWallets
    function initializeV2(LegacyMasterWallet[] calldata legacy) external {
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        if (s.initializedVersion != 1) revert AlreadyInitialized(2, s.initializedVersion);
        s.initializedVersion = 2;
        _record(legacy);
        emit Initialized(2);
    }

    /// @notice Record further master wallets of accounts made before version 2 (the ones that did
    ///         not fit in initializeV2's transaction). Each pair must name an unmanaged account whose
    ///         master wallet is not recorded yet, and a wallet whose alias is bound to that account
    ///         (it was an admin of it); else LegacyMasterWalletInvalid(master, wallet).
    /// @param legacy (master, wallet) pairs read from the AccountCreated (unmanaged) and
    ///        AccountConvertedToChainSecured logs
    function recordLegacyMasterWallets(LegacyMasterWallet[] calldata legacy) external {
        uint64 version = LibAccountConfig.layout().initializedVersion;
        if (version < 2) revert InvalidRequest("recordLegacyMasterWallets: run initializeV2 first");
        _record(legacy);
    }

    function _record(LegacyMasterWallet[] calldata legacy) private {
        LibAccountConfig.Layout storage s = LibAccountConfig.layout();
        for (uint256 i; i < legacy.length; ++i) {
            uint256 master = legacy[i].master;
            address wallet = legacy[i].wallet;
            LibAccountConfig.Account storage account = s.accounts[master];
            uint256 aliasHash = LibAccess.aliasOf(wallet);
            LibAccountConfig.Binding storage binding = s.bindings[aliasHash];
            bool wasAdmin = binding.master == master &&
                (binding.kind == IAccountConfigTypes.HashKind.AdminAlias ||
                    (binding.kind == IAccountConfigTypes.HashKind.Master && aliasHash == master));
            if (!account.exists || account.managed || account.masterWallet != address(0) || !wasAdmin) {
                revert LegacyMasterWalletInvalid(master, wallet);
            }
            account.masterWallet = wallet;
            emit MasterWalletSet(master, wallet);
        }
    }
}
