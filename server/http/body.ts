/** Reading request bodies with hard limits, before anything parses them. */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './router';

/** Past the limit, a body is still read (and dropped) up to this, so the client sees the 413. */
const DRAIN_CAP_BYTES = 16 * 1024 * 1024;

/** The raw bytes of the body; 413 past `limit` bytes. */
export function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > limit;
    const tooLargeError = () =>
      new HttpError(413, 'body_too_large', `The request body is larger than ${limit} bytes.`, { limit }, { connection: 'close' });
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (tooLarge) {
        chunks.length = 0;
        if (size > DRAIN_CAP_BYTES) {
          reject(tooLargeError());
          req.destroy();
        }
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => (tooLarge ? reject(tooLargeError()) : resolve(Buffer.concat(chunks, size))));
    req.on('error', () => reject(new HttpError(400, 'body_unreadable', 'The request body could not be read.')));
  });
}

/** The body parsed as JSON; 415 for another content type, 400 for malformed JSON. */
export async function readJson(req: IncomingMessage, limit: number): Promise<{ raw: Buffer; value: unknown }> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    req.resume();
    throw new HttpError(415, 'unsupported_media_type', 'Send the body as application/json.', undefined, { connection: 'close' });
  }
  const raw = await readRawBody(req, limit);
  return { raw, value: parseJson(raw) };
}

export function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'malformed_json', 'The request body is not valid JSON.');
  }
}
