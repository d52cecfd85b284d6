/**
 * Text every database can store (docs/relayer-untrusted-input.md, "Text a database refuses"): no NUL
 * (U+0000, refused by Postgres in text columns) and no lone UTF-16 surrogate (a JavaScript string
 * can hold one, but it has no UTF-8 encoding). Input carrying either is refused; text that has to
 * be kept anyway (names a wallet wrote straight on-chain) gets U+FFFD in their place.
 */

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** String.prototype.isWellFormed (ES2024, Node 20): native and fast; the regex where it is missing. */
function wellFormed(text: string): boolean {
  const native = (text as unknown as { isWellFormed?: () => boolean }).isWellFormed;
  return typeof native === "function" ? native.call(text) : !LONE_SURROGATE.test(text);
}

/** U+FFFD, the Unicode replacement character. */
export const REPLACEMENT_CHARACTER = "\ufffd";

/** Why `text` cannot be stored as text (a NUL or a lone surrogate, with its position), or null. */
export function unstorableText(text: string): string | null {
  const nul = text.indexOf("\u0000");
  if (nul >= 0) return `contains a NUL character (U+0000) at position ${nul}, which cannot be stored`;
  if (wellFormed(text)) return null;
  const lone = LONE_SURROGATE.exec(text);
  if (lone !== null) {
    const unit = lone[0].charCodeAt(0).toString(16).toUpperCase();
    return `contains a lone UTF-16 surrogate (U+${unit}) at position ${lone.index}, which is not text`;
  }
  return null;
}

/** `text` with every NUL and lone surrogate replaced by U+FFFD (unchanged when already storable). */
export function storableText(text: string): string {
  if (text.indexOf("\u0000") < 0 && wellFormed(text)) return text;
  return text.replace(UNSTORABLE, REPLACEMENT_CHARACTER);
}
