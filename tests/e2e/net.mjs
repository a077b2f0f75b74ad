// Loopback helpers shared by the browser tests that start their own servers: a free port to
// listen on, and waiting until a started Tessera (or tessera-signer) answers /healthz.
import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once `${url}/healthz` answers 200; throws after `tries` × 100 ms. */
export async function healthy(url, tries = 200) {
  for (let i = 0; i < tries; i += 1) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not yet listening
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url}/healthz never answered`);
}
