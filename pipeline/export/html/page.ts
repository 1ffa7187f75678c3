import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { escapeHtml as esc } from '../../text/html.ts';
import { GENERATOR_META } from '../marks.ts';

const STATIC = join(dirname(fileURLToPath(import.meta.url)), 'static');
/** A static file shipped beside this module (CSS or JS that holds no data). */
export const asset = (name: string) => readFileSync(join(STATIC, name), 'utf8');

const hash = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/**
 * A self-contained page that opens from disk: its one stylesheet and one script are inline and allowed
 * by their hashes alone (no 'unsafe-inline', nothing loaded from anywhere), so markup that slipped into
 * the data could neither run nor restyle the page. The script reads data only from the DOM.
 */
export function htmlPage(o: { title: string; css: string; script?: string; body: string; bodyClass?: string }): string {
  const csp = [
    `default-src 'none'`,
    `style-src ${hash(o.css)}`,
    o.script ? `script-src ${hash(o.script)}` : `script-src 'none'`,
    `img-src data:`,
    `base-uri 'none'`,
    `form-action 'none'`,
  ].join('; ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${GENERATOR_META}
<title>${esc(o.title)}</title>
<style>${o.css}</style>
</head>
<body${o.bodyClass ? ` class="${esc(o.bodyClass)}"` : ''}>
${o.body}
${o.script ? `<script>${o.script}</script>` : ''}
</body></html>
`;
}
