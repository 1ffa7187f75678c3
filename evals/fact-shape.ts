import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ExportRecord, POSTMORTEM_FIELDS, type Postmortem } from '../schemas/index.ts';

/**
 * How records read, beyond whether their facts are right: how often a fact repeats one already listed
 * under another field of the same incident (the same words, case and spacing aside), and how many
 * facts a field lists (the median over every field of every incident, empty fields included).
 *
 *   node bin/run-ts.js evals/fact-shape.ts out/incidents.json
 */
export interface FactShape {
  incidents: number;
  facts: number;
  /** Facts whose text is already listed under another field of the same incident. */
  repeats: number;
  repeatShare: number;
  medianFactsPerField: number;
}

const norm = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();

export function factShape(postmortems: readonly Pick<Postmortem, (typeof POSTMORTEM_FIELDS)[number]>[]): FactShape {
  let facts = 0,
    repeats = 0;
  const counts: number[] = [];
  for (const pm of postmortems) {
    const listed = new Map<string, string>();
    for (const field of POSTMORTEM_FIELDS) {
      counts.push(pm[field].length);
      for (const f of pm[field]) {
        facts++;
        const at = listed.get(norm(f.text));
        if (at === undefined) listed.set(norm(f.text), field);
        else if (at !== field) repeats++;
      }
    }
  }
  counts.sort((a, b) => a - b);
  const mid = counts.length / 2;
  const median = counts.length === 0 ? 0 : counts.length % 2 ? counts[Math.floor(mid)]! : (counts[mid - 1]! + counts[mid]!) / 2;
  return { incidents: postmortems.length, facts, repeats, repeatShare: facts ? repeats / facts : 0, medianFactsPerField: median };
}

const ExportFile = z.object({ incidents: z.array(ExportRecord) });

/** The shape of the records in an `incidents.json` written by `failscope run --out` or `export --format json`. */
export function factShapeOfFile(file: string): FactShape {
  const parsed = ExportFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `${file}: not an incidents.json export (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`,
    );
  return factShape(parsed.data.incidents.flatMap((r) => (r.postmortem ? [r.postmortem] : [])));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const file = process.argv[2] ?? 'out/incidents.json';
  try {
    console.log(JSON.stringify(factShapeOfFile(file)));
  } catch (e) {
    console.error(`fact-shape: ${(e as Error).message}`);
    process.exit(2);
  }
}
