// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title A minimal ERC-1271 contract wallet for tests
/// @notice Accepts a signature when its owner EOA signed the digest itself; can forward calls
///         (so it can act as the admin of a ChainSecured account).
contract ERC1271WalletTest {
    bytes4 internal constant MAGIC_VALUE = 0x1626ba7e;

    address public immutable OWNER;

    error NotOwner(address caller);

    constructor(address owner_) {
        OWNER = owner_;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, signature);
        if (err == ECDSA.RecoverError.NoError && signer == OWNER) return MAGIC_VALUE;
        return 0xffffffff;
    }

    /// @notice Calls `target` with `data` as this wallet (owner only); bubbles reverts up.
    function execute(address target, bytes calldata data) external returns (bytes memory) {
        if (msg.sender != OWNER) revert NotOwner(msg.sender);
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory result) = target.call(data);
        if (!ok) {
            assembly {
                revert(add(result, 32), mload(result))
            }
        }
        return result;
    }
}
