// Reads all of stdin when it is piped or redirected (never from a terminal: that would block).
import type { Readable } from 'node:stream';

export async function readPipedStdin(stream: Readable & { isTTY?: boolean } = process.stdin): Promise<Buffer | undefined> {
  if (stream.isTTY) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}
