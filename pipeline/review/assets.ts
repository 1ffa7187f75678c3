import { readFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';
import { HttpError } from './http.ts';

/** The page: plain HTML, ES modules and CSS, served as they are (no build step). */
export const STATIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'static');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
/** Flat names only: no path reaches outside the folder. */
const NAME = /^[a-z0-9][a-z0-9-]*\.(js|css|svg|png|ico)$/;
const TOKEN_SLOT = '__CSRF_TOKEN__';

export async function sendPage(res: ServerResponse, token: string, head: boolean): Promise<void> {
  const html = (await readFile(join(STATIC_DIR, 'index.html'), 'utf8')).replace(TOKEN_SLOT, token);
  // The page holds this session's token: never cached.
  res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store', 'content-length': Buffer.byteLength(html) });
  res.end(head ? undefined : html);
}

export async function sendAsset(res: ServerResponse, name: string, head: boolean): Promise<void> {
  if (!NAME.test(name)) throw new HttpError(404, `no such file: /static/${name}`);
  let body: Buffer;
  try {
    body = await readFile(join(STATIC_DIR, name));
  } catch {
    throw new HttpError(404, `no such file: /static/${name}`);
  }
  res.writeHead(200, { 'content-type': TYPES[extname(name)], 'cache-control': 'no-cache', 'content-length': body.length });
  res.end(head ? undefined : body);
}
