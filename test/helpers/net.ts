import nock from "nock";

/**
 * After a test file blocks the network with nock, later files in the same jest worker still talk
 * to their own servers on loopback; nothing else is ever reachable.
 */
export function allowLoopbackOnly(): void {
  nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host));
}
