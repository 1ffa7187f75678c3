import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Article, ExportRecord } from '../../schemas/index.ts';
import { asset, htmlPage } from './html/page.ts';
import { paletteCss } from './html/palette.ts';
import { indexBody, recordFile } from './html/index-page.ts';
import { recordBody } from './html/record-page.ts';

function writeAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/**
 * `export --format html`: index.html and incidents/<id>.html, pages that open from disk with no server
 * (see html/page.ts for what keeps article text inert). Returns the files written.
 */
export function writeHtml(outDir: string, records: readonly ExportRecord[], articles: ReadonlyMap<string, Article>): string[] {
  const dir = resolve(outDir);
  const css = `${asset('export.css')}\n${paletteCss()}`;
  const files = [join(dir, 'index.html')];
  writeAtomic(
    files[0],
    htmlPage({ title: `failscope · ${records.length} incidents`, css, script: asset('index.js'), body: indexBody(records) }),
  );
  for (const r of records) {
    const file = join(dir, recordFile(r.id));
    writeAtomic(file, htmlPage({ title: `Incident: ${r.title || r.id}`, css, script: asset('record.js'), body: recordBody(r, articles) }));
    files.push(file);
  }
  // Pages of incidents merged away since an earlier export must not linger.
  const current = new Set(files);
  mkdirSync(join(dir, 'incidents'), { recursive: true });
  for (const f of readdirSync(join(dir, 'incidents'))) {
    const path = join(dir, 'incidents', f);
    if (/^inc-.*\.html$/.test(f) && !current.has(path)) rmSync(path);
  }
  return files;
}
