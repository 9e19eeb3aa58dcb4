// Loopback hosts: where the daemon may listen without a bearer token, and where the CLI may
// spawn a daemon and send the token file.

/** True for `localhost`, `::1` (bracketed or not) and any 127.x.y.z address. */
export function isLoopbackAddress(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
