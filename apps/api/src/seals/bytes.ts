/** A Buffer (or Uint8Array) as a plain Uint8Array view of the same bytes, as the seal library takes them. */
export const bytes = (b: Buffer | Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
