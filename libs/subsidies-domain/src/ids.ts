import { createHash } from 'node:crypto';

/**
 * A name-based UUID (SHA-256 of the parts, version nibble 8, RFC 9562 variant): the same business
 * key always gives the same id, so a retried command or a redelivered message finds the row or
 * ledger journal it already wrote instead of writing a second one.
 */
export function deterministicId(...parts: string[]): string {
  const hash = createHash('sha256').update(['cnfs.subsidies', ...parts].join('\u001f')).digest();
  hash[6] = (hash[6] & 0x0f) | 0x80;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
