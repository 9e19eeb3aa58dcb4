// Host-header allow-list, the DNS-rebinding defence (docs/protocol.md §2.1). Fails closed: a missing
// Host, or one whose port part is malformed, is compared raw and so never matches a host name.

const HOST_WITH_PORT = /^(?:\[([^\]]+)\]|([^:]+))(?::\d+)?$/;

/** The host part of a Host header value: inside the brackets of an IPv6 literal, else before `:`. */
export function hostWithoutPort(header: string): string {
  const match = HOST_WITH_PORT.exec(header);
  if (match === null) return header;
  return match[1] ?? match[2] ?? header;
}

export function isHostAllowed(header: string | undefined, allowed: readonly string[]): boolean {
  if (header === undefined || header === '') return false;
  return allowed.includes(hostWithoutPort(header));
}
