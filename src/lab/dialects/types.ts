import type { DialectName } from '../../evidence/names.ts';
import type { Handler, Route } from '../context.ts';

/** What every dialect shares with the lab: the verification page of this lab. */
export interface DialectShared {
  verification: { show: Handler; submit: Handler };
}

/**
 * How a provider's endpoints and error shapes map onto the lab's one RFC 8628 state. A dialect
 * answers the hosts a task plays (`github.com`, `login.microsoftonline.com`, …); the lab's own
 * loopback issuer always speaks the generic dialect.
 */
export interface Dialect {
  name: DialectName;
  /** Stock hosts played when a task names none. */
  defaultHosts: readonly string[];
  /** The route table of this lab: the route for a request to `host` and `path`, if any. */
  routes(shared: DialectShared): (host: string, path: string) => Route | undefined;
}
