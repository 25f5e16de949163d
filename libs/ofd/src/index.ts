/**
 * @gongwen/ofd — OFD output (GB/T 33190-2016) of gongwen's documents and the OFD signature container (§18).
 */
export { writeOfd, OFD_MIME, OFD_NS, type OfdMetadata, type OfdOptions } from './writer.js';
export { renderOfd, ofdMetadata, ofdFileName } from './document.js';
export { signOfd, verifyOfd, SM2_SIGNATURE_METHOD, SM3_CHECK_METHOD, type SignOfdOptions, type OfdVerification } from './sign.js';
export { fontconfigResolver, extractFace, clearSubsetCache, warmFaces, type FaceResolver, type FaceFile } from './fonts.js';
