/**
 * The blocks the chain writer recorded receipts in, above the index's cursor (docs/finality.md "A
 * reorg of blocks the index never applied"): height -> the block hashes it saw there. When the
 * indexer comes to apply a height with another hash, that block was replaced before the index
 * ever applied it, which no parent-hash check can see (Indexer.expectBlock).
 */

/** Most heights remembered; the lowest are forgotten first. */
const MAX_HEIGHTS = 4096;

export class ExpectedBlocks {
  private readonly byHeight = new Map<number, Set<string>>();

  /** The writer saw a receipt in block `number` with hash `hash`. */
  add(number: number, hash: string): void {
    let hashes = this.byHeight.get(number);
    if (!hashes) {
      if (this.byHeight.size >= MAX_HEIGHTS) this.byHeight.delete(Math.min(...this.byHeight.keys()));
      hashes = new Set();
      this.byHeight.set(number, hashes);
    }
    hashes.add(hash.toLowerCase());
  }

  /**
   * Block `number` with hash `hash` is about to be applied: the other hashes seen at that height
   * (blocks that were replaced), and the height is forgotten.
   */
  replacedBy(number: number, hash: string): string[] {
    const hashes = this.byHeight.get(number);
    if (!hashes) return [];
    this.byHeight.delete(number);
    return [...hashes].filter((h) => h !== hash.toLowerCase());
  }

  /** Forgets the heights at or below `block` (the index has passed them). */
  forgetUpTo(block: number): void {
    for (const n of [...this.byHeight.keys()]) if (n <= block) this.byHeight.delete(n);
  }

  /** Forgets the heights above `block` (a reorg from there is being reported anyway). */
  forgetAbove(block: number): void {
    for (const n of [...this.byHeight.keys()]) if (n > block) this.byHeight.delete(n);
  }
}
