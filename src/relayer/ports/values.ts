/**
 * The value conventions of every port (see index.ts): 32-byte hashes, addresses, uint256 values and
 * the page of a list.
 */
import type { Hash32 } from "../../core/hashing";

export type { Hash32 };

export type Address = string;
export type Uint = string;

export interface Page {
  pageNumber: number;
  pageSize: number;
}
