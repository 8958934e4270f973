import { randomUUID } from "node:crypto";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";

/*
 * Uploaded files on disk, content-addressed (DESIGN §8: stored under content
 * hashes, never under user-supplied paths).
 */

const SHA256_RE = /^[0-9a-f]{64}$/;

export function blobPath(uploadDir: string, sha256: string): string {
  if (!SHA256_RE.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
  return join(uploadDir, sha256.slice(0, 2), sha256);
}

/**
 * Content-addressed write: a temp file in the target directory, fsynced, then
 * renamed into place, so a reader never sees a half-written blob and two
 * concurrent uploads of the same bytes both end with one complete file.
 */
export async function storeBlob(uploadDir: string, sha256: string, bytes: Uint8Array): Promise<string> {
  const path = blobPath(uploadDir, sha256);
  const existing = await stat(path).catch(() => null);
  if (existing && existing.size === bytes.byteLength) return path;
  await mkdir(join(uploadDir, sha256.slice(0, 2)), { recursive: true });
  const tmp = `${path}.${randomUUID()}.tmp`;
  const fh = await open(tmp, "wx", 0o640);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await rename(tmp, path);
  return path;
}

/**
 * Stores an uploaded file for a material and marks the material received.
 * The blob is written before the transaction: if the transaction fails, the
 * file is an unreferenced content-addressed blob, harmless and reused by the
 * next upload of the same bytes.
 */
