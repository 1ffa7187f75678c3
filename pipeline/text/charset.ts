/**
 * Bytes → text the way browsers do it (WHATWG encoding sniffing, simplified): a BOM wins, then the
 * Content-Type charset, then a `<meta charset>` / `<?xml encoding?>` declaration near the top, then
 * UTF-8 if the bytes are valid UTF-8, else windows-1252 (what unlabelled legacy pages almost always are).
 */

export interface Decoded {
  text: string;
  encoding: string;
  /** Where the encoding came from: bom, header, meta, xml, sniffed. */
  from: 'bom' | 'header' | 'meta' | 'xml' | 'sniffed';
}

/**
 * Node's TextDecoder decodes windows-1252 as plain latin1 since 20.18.3 and 22.13 (nodejs/node#60888:
 * 0x80–0x9F become C1 controls, not the curly quotes and dashes they are), so on a Node with that bug
 * those 32 bytes are mapped here from the WHATWG index. iconv-lite would not do better: it maps the five
 * bytes the index leaves as controls to U+FFFD, and departs from the index in other windows-125x pages,
 * which TextDecoder gets right.
 */
const TEXT_DECODER_CP1252_OK = new TextDecoder('windows-1252').decode(Uint8Array.of(0x80)) === '\u20ac';
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019,
  0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

function decodeCp1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1')
    .replace(/[\u0080-\u009f]/g, (c) => String.fromCharCode(CP1252_HIGH[c.charCodeAt(0) - 0x80]));
}

/** The WHATWG name for a charset label, or null if unknown (`latin1`, `iso-8859-1`, `ascii` all mean windows-1252). */
export function encodingFor(label: string | null | undefined): string | null {
  if (!label) return null;
  try {
    return new TextDecoder(label.trim().replace(/^["']|["']$/g, '')).encoding;
  } catch {
    return null;
  }
}

function decodeAs(bytes: Uint8Array, encoding: string): string {
  if (encoding === 'windows-1252' && !TEXT_DECODER_CP1252_OK) return decodeCp1252(bytes);
  return new TextDecoder(encoding, { ignoreBOM: false }).decode(bytes);
}

export function bomEncoding(b: Uint8Array): string | null {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return 'utf-8';
  if (b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  if (b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  return null;
}

export const charsetParam = (contentType: string | null) => /;\s*charset\s*=\s*["']?([^"';\s]+)/i.exec(contentType ?? '')?.[1] ?? null;

/** A `<meta charset>` or `<meta http-equiv=Content-Type content="…; charset=…">` in the first few KB. */
function declaredInMarkup(head: string): { label: string; from: 'meta' | 'xml' } | null {
  const meta = /<meta\b[^>]*?charset\s*=\s*["']?\s*([\w:.-]+)/i.exec(head);
  if (meta) return { label: meta[1], from: 'meta' };
  const xml = /^\s*<\?xml\b[^>]*\bencoding\s*=\s*["']([\w:.-]+)["']/i.exec(head);
  return xml ? { label: xml[1], from: 'xml' } : null;
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export function decodeBody(bytes: Uint8Array, contentType: string | null): Decoded {
  const bom = bomEncoding(bytes);
  if (bom) return { text: decodeAs(bytes, bom).replace(/^\uFEFF/, ''), encoding: bom, from: 'bom' };
  const header = encodingFor(charsetParam(contentType));
  if (header) return { text: decodeAs(bytes, header), encoding: header, from: 'header' };
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 4096)).toString('latin1');
  const declared = declaredInMarkup(head);
  // A page cannot declare itself UTF-16 in ASCII-compatible bytes; WHATWG reads that as UTF-8.
  const fromMarkup = declared && encodingFor(declared.label)?.replace(/^utf-16(be|le)$/, 'utf-8');
  if (declared && fromMarkup) return { text: decodeAs(bytes, fromMarkup), encoding: fromMarkup, from: declared.from };
  const sniffed = isUtf8(bytes) ? 'utf-8' : 'windows-1252';
  return { text: decodeAs(bytes, sniffed), encoding: sniffed, from: 'sniffed' };
}

/** NUL bytes near the start mean an image, PDF or archive, whatever the Content-Type claims. */
export function looksBinary(bytes: Uint8Array): boolean {
  if (bomEncoding(bytes)?.startsWith('utf-16')) return false;
  const n = Math.min(bytes.byteLength, 2048);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  return false;
}
