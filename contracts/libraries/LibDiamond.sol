// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IDiamondCut, IERC173} from "../interfaces/IDiamond.sol";
import {IAccountConfigErrors} from "../interfaces/IAccountConfigErrors.sol";

/// @title Diamond bookkeeping: selector -> facet map, cuts, ownership, ERC-165 flags
/// @dev ERC-7201 namespace "accountconfig.storage.diamond", kept apart from the application
///      layout (LibAccountConfig) so that facet cuts never touch account state.
/// @custom:storage-location erc7201:accountconfig.storage.diamond
library LibDiamond {
    /// @notice keccak256(abi.encode(uint256(keccak256("accountconfig.storage.diamond")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 internal constant STORAGE_SLOT = 0x9e330f4b98e25d8bbe93e9dafce77b5e4abf519e710b10342a2026ff1e7f6500;

    struct SelectorInfo {
        address facet;
        uint96 position; // index in FacetInfo.selectors
    }

    struct FacetInfo {
        bytes4[] selectors;
        uint256 position; // index in facetAddresses
    }

    struct DiamondStorage {
        mapping(bytes4 selector => SelectorInfo) selectorInfo;
        mapping(address facet => FacetInfo) facetInfo;
        address[] facetAddresses;
        mapping(bytes4 interfaceId => bool) supportedInterfaces;
        address contractOwner;
    }

    /// @notice The diamond's bookkeeping storage.
    function diamondStorage() internal pure returns (DiamondStorage storage ds) {
        bytes32 slot = STORAGE_SLOT;
        assembly {
            ds.slot := slot
        }
    }

    function setContractOwner(address newOwner) internal {
        DiamondStorage storage ds = diamondStorage();
        address previous = ds.contractOwner;
        ds.contractOwner = newOwner;
        emit IERC173.OwnershipTransferred(previous, newOwner);
    }

    function contractOwner() internal view returns (address) {
        return diamondStorage().contractOwner;
    }

    function enforceIsContractOwner() internal view {
        address owner = diamondStorage().contractOwner;
        if (msg.sender != owner) revert IAccountConfigErrors.NotContractOwner(msg.sender, owner);
    }

    /// @notice Apply `cuts`, emit DiamondCut, then run the optional initializer.
    function diamondCut(IDiamondCut.FacetCut[] memory cuts, address init, bytes memory data) internal {
        for (uint256 i; i < cuts.length; ++i) {
            IDiamondCut.FacetCut memory cut = cuts[i];
            if (cut.functionSelectors.length == 0) {
                revert IAccountConfigErrors.DiamondCutInvalid("no selectors in facet cut", bytes4(0));
            }
            if (cut.action == IDiamondCut.FacetCutAction.Add) {
                _addFunctions(cut.facetAddress, cut.functionSelectors);
            } else if (cut.action == IDiamondCut.FacetCutAction.Replace) {
                _replaceFunctions(cut.facetAddress, cut.functionSelectors);
            } else {
                _removeFunctions(cut.facetAddress, cut.functionSelectors);
            }
        }
        emit IDiamondCut.DiamondCut(cuts, init, data);
        _initialize(init, data);
    }

    function _addFunctions(address facet, bytes4[] memory selectors) private {
        _requireCode(facet);
        DiamondStorage storage ds = diamondStorage();
        for (uint256 i; i < selectors.length; ++i) {
            bytes4 selector = selectors[i];
            if (ds.selectorInfo[selector].facet != address(0)) {
                revert IAccountConfigErrors.DiamondCutInvalid("add: selector already exists", selector);
            }
            _link(ds, facet, selector);
        }
    }

    function _replaceFunctions(address facet, bytes4[] memory selectors) private {
        _requireCode(facet);
        DiamondStorage storage ds = diamondStorage();
        for (uint256 i; i < selectors.length; ++i) {
            bytes4 selector = selectors[i];
            address old = ds.selectorInfo[selector].facet;
            if (old == address(0)) revert IAccountConfigErrors.DiamondCutInvalid("replace: selector missing", selector);
            if (old == facet) revert IAccountConfigErrors.DiamondCutInvalid("replace: same facet", selector);
            _unlink(ds, old, selector);
            _link(ds, facet, selector);
        }
    }

    function _removeFunctions(address facet, bytes4[] memory selectors) private {
        if (facet != address(0)) {
            revert IAccountConfigErrors.DiamondCutInvalid("remove: facet address must be zero", bytes4(0));
        }
        DiamondStorage storage ds = diamondStorage();
        for (uint256 i; i < selectors.length; ++i) {
            bytes4 selector = selectors[i];
            address old = ds.selectorInfo[selector].facet;
            if (old == address(0)) revert IAccountConfigErrors.DiamondCutInvalid("remove: selector missing", selector);
            _unlink(ds, old, selector);
        }
    }

    function _link(DiamondStorage storage ds, address facet, bytes4 selector) private {
        FacetInfo storage info = ds.facetInfo[facet];
        if (info.selectors.length == 0) {
            info.position = ds.facetAddresses.length;
            ds.facetAddresses.push(facet);
        }
        ds.selectorInfo[selector] = SelectorInfo(facet, uint96(info.selectors.length));
        info.selectors.push(selector);
    }

    function _unlink(DiamondStorage storage ds, address facet, bytes4 selector) private {
        FacetInfo storage info = ds.facetInfo[facet];
        uint256 position = ds.selectorInfo[selector].position;
        uint256 last = info.selectors.length - 1;
        if (position != last) {
            bytes4 moved = info.selectors[last];
            info.selectors[position] = moved;
            ds.selectorInfo[moved].position = uint96(position);
        }
        info.selectors.pop();
        delete ds.selectorInfo[selector];
        if (info.selectors.length == 0) {
            uint256 facetPosition = info.position;
            uint256 lastFacet = ds.facetAddresses.length - 1;
            if (facetPosition != lastFacet) {
                address movedFacet = ds.facetAddresses[lastFacet];
                ds.facetAddresses[facetPosition] = movedFacet;
                ds.facetInfo[movedFacet].position = facetPosition;
            }
            ds.facetAddresses.pop();
            delete ds.facetInfo[facet];
        }
    }

    function _initialize(address init, bytes memory data) private {
        if (init == address(0)) {
            if (data.length != 0) revert IAccountConfigErrors.DiamondCutInvalid("calldata without init", bytes4(0));
            return;
        }
        _requireCode(init);
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory err) = init.delegatecall(data);
        if (!ok) {
            if (err.length > 0) {
                assembly {
                    revert(add(err, 0x20), mload(err))
                }
            }
            revert IAccountConfigErrors.DiamondInitFailed(init, data);
        }
    }

    function _requireCode(address target) private view {
        if (target.code.length == 0) {
            revert IAccountConfigErrors.DiamondCutInvalid("address has no code", bytes4(0));
        }
    }
}
