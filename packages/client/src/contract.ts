/**
 * The API's types, generated from its OpenAPI document (`npm run contract` → libs/contract/schema.d.ts). In the
 * built package (`npm run build:client`) this re-export points at a copy of that file shipped in dist/.
 */
export type { paths, components } from '../../../libs/contract/schema.js';
