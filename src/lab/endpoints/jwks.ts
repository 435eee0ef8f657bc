// The public half of the lab's per-run signing key (RFC 7517).
import { type Handler, json } from '../context.ts';

export const jwks: Handler = ({ keys }) => json({ keys: [keys.publicJwk] });
