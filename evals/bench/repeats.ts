import { sha256 } from '../../pipeline/text/hash.ts';

/** Requests a model server answered more than once for the same body: paid calls made twice. */
export const repeats = (bodies: unknown[]) => bodies.length - new Set(bodies.map((b) => sha256(JSON.stringify(b)))).size;
