import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  Citation,
  DIMENSION_KEYS,
  Fact,
  GoldArticle,
  GoldIncident,
  Postmortem,
  TAXONOMY,
  TaxonomyLabel,
  UNKNOWN,
  applies,
  dimension,
  emptyPostmortem,
  isDimensionKey,
  normalizeOptions,
  optionKeys,
} from '../schemas/index.ts';
import { SHARED } from './fixtures.ts';

const REFERENCE = join(SHARED, 'reference', 'taxonomy.md');
const BENCHMARKS = join(SHARED, 'benchmarks');
const SAMPLE = join(import.meta.dirname, '..', 'data', 'sample');

/**
 * Option keys per dimension as taxonomy.md lists them: `### <dim>` headings, then `- \`key\`` or
 * `- (a) \`key\`` lines. Boolean dimensions (cps, application) list no option lines there.
 */
function referenceOptions(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string | null = null;
  for (const line of readFileSync(REFERENCE, 'utf8').split('\n')) {
    const head = /^### (\S+)/.exec(line);
    if (head) {
      current = head[1];
      out.set(current, []);
      continue;
    }
    if (line.startsWith('## ')) {
      current = null;
      continue;
    }
    const opt = /^- (?:\([a-z]\) )?`([^`]+)`/.exec(line);
    if (opt && current) out.get(current)!.push(opt[1]);
  }
  return out;
}

function jsonlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.jsonl'))
    .map((d) => join(dir, d.name));
}
const benchmarkFiles = () =>
  readdirSync(BENCHMARKS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => jsonlFiles(join(BENCHMARKS, d.name)));

function lines(file: string): { n: number; rec: unknown }[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l, i) => ({ n: i + 1, l }))
    .filter((x) => x.l.trim())
    .map((x) => ({ n: x.n, rec: JSON.parse(x.l) }));
}

const prov = { backend: 'offline', model: 'm', promptHash: 'p', schemaHash: null, runId: 'r' };
const cite = { articleId: 'a1', quote: 'the app crashed', start: 0, end: 15, alignment: 'exact' as const };

describe('taxonomy as data', () => {
  const ref = referenceOptions();

  it('has the 16 dimensions of taxonomy.md, in its order', () => {
    expect(TAXONOMY).toHaveLength(16);
    expect([...ref.keys()]).toEqual(TAXONOMY.map((d) => d.key));
    expect(DIMENSION_KEYS).toEqual(TAXONOMY.map((d) => d.key));
  });

  it('uses exactly the option keys of taxonomy.md (plus unknown)', () => {
    for (const dim of TAXONOMY) {
      const listed = ref.get(dim.key)!;
      if (dim.kind === 'boolean') {
        // The reference stores booleans as TRUE/FALSE/unknown and lists no option lines for them.
        expect(listed, dim.key).toEqual([]);
        expect(
          dim.options.map((o) => o.key),
          dim.key,
        ).toEqual(['true', 'false']);
      } else {
        expect(listed.at(-1), dim.key).toBe(UNKNOWN);
        expect(
          dim.options.map((o) => o.key),
          dim.key,
        ).toEqual(listed.slice(0, -1));
      }
      expect(optionKeys(dim.key)).toEqual([...dim.options.map((o) => o.key), UNKNOWN]);
    }
  });

  it('marks cps and application boolean and the IoT layers iot-only', () => {
    expect(TAXONOMY.filter((d) => d.kind === 'boolean').map((d) => d.key)).toEqual(['cps', 'application']);
    expect(TAXONOMY.filter((d) => d.iotOnly).map((d) => d.key)).toEqual(['perception', 'communication', 'application']);
    expect(TAXONOMY.filter((d) => d.section === 'iot').map((d) => d.key)).toEqual(['perception', 'communication', 'application']);
    for (const d of TAXONOMY) {
      expect(d.question.length, d.key).toBeGreaterThan(10);
      for (const o of d.options) expect(o.definition.length, `${d.key}.${o.key}`).toBeGreaterThan(5);
    }
  });

  it('tells a dimension key from any other string', () => {
    expect(isDimensionKey('colour')).toBe(false);
    expect(isDimensionKey('phase')).toBe(true);
  });

  describe('normalizeOptions', () => {
    it('keeps known options in taxonomy order, without duplicates', () => {
      expect(normalizeOptions('behaviour', ['value', 'crash', 'value'])).toEqual(['crash', 'value']);
    });
    it('drops unknown keys, and falls back to unknown when nothing is left', () => {
      expect(normalizeOptions('phase', ['design', 'banana'])).toEqual(['design']);
      expect(normalizeOptions('phase', ['banana'])).toEqual([UNKNOWN]);
      expect(normalizeOptions('phase', [])).toEqual([UNKNOWN]);
    });
    it('never keeps unknown beside a real option', () => {
      expect(normalizeOptions('domain', ['unknown', 'finance'])).toEqual(['finance']);
      expect(normalizeOptions('domain', ['unknown'])).toEqual([UNKNOWN]);
    });
    it('gives a boolean exactly one value', () => {
      expect(normalizeOptions('cps', ['true', 'false'])).toHaveLength(1);
      expect(normalizeOptions('cps', ['false'])).toEqual(['false']);
      expect(normalizeOptions('application', ['true', 'unknown'])).toEqual(['true']);
      expect(normalizeOptions('cps', ['TRUE'])).toEqual([UNKNOWN]);
    });
  });

  describe('applies', () => {
    it('asks IoT dimensions only when cps is true', () => {
      for (const key of ['perception', 'communication', 'application'] as const) {
        expect(applies(key, ['true']), key).toBe(true);
        expect(applies(key, ['false']), key).toBe(false);
        expect(applies(key, [UNKNOWN]), key).toBe(false);
        expect(applies(key, null), key).toBe(false);
        expect(applies(key, undefined), key).toBe(false);
      }
    });
    it('always asks the other dimensions', () => {
      for (const d of TAXONOMY.filter((x) => !x.iotOnly)) expect(applies(d.key, ['false']), d.key).toBe(true);
    });
  });
});

describe('gold records', () => {
  it('finds the benchmark files', () => {
    expect(
      benchmarkFiles()
        .map((f) => f.slice(BENCHMARKS.length + 1))
        .sort(),
    ).toEqual(['fail/articles.jsonl', 'fail/incidents.jsonl', 'ko/articles.jsonl']);
  });

  const files = [...benchmarkFiles(), ...jsonlFiles(SAMPLE)];
  for (const file of files) {
    it(`parses every line of ${file.replace(/^.*\/(\w+\/\w+\.jsonl)$/, '$1')}`, () => {
      const schema = file.endsWith('incidents.jsonl') ? GoldIncident : GoldArticle;
      const recs = lines(file);
      expect(recs.length).toBeGreaterThan(0);
      for (const { n, rec } of recs) {
        const r = schema.safeParse(rec);
        expect(r.success, `${file}:${n} ${r.success ? '' : JSON.stringify(r.error.issues.slice(0, 2))}`).toBe(true);
      }
    });
  }

  it("gold taxonomy values are the taxonomy's option keys, with IoT layers null unless cps is true", () => {
    const incidentFiles = files.filter((f) => f.endsWith('incidents.jsonl'));
    expect(incidentFiles.length).toBeGreaterThanOrEqual(2);
    for (const file of incidentFiles) {
      for (const { n, rec } of lines(file)) {
        const tax = GoldIncident.parse(rec).gold.taxonomy;
        expect(Object.keys(tax).sort(), `${file}:${n}`).toEqual([...DIMENSION_KEYS].sort());
        for (const dim of DIMENSION_KEYS) {
          const opts = tax[dim];
          if (opts === null || opts === undefined) {
            expect(dimension(dim).iotOnly && !applies(dim, tax.cps), `${file}:${n} ${dim} is null`).toBe(true);
            continue;
          }
          for (const o of opts) expect(optionKeys(dim), `${file}:${n} ${dim}`).toContain(o);
        }
      }
    }
  });

  it("keeps a benchmark article's gold out of the fields ingest reads", () => {
    const parsed = GoldArticle.parse({ id: 'x', headline: 'h', text: 't', gold: { isFailure: true, incidentId: 'i' } });
    expect(parsed.gold.isFailure).toBe(true);
    expect(GoldArticle.safeParse({ id: 'x', text: 't' }).success).toBe(false);
    expect(GoldIncident.safeParse({ id: 'i', articleIds: [], gold: { postmortem: {}, taxonomy: {} } }).success).toBe(false);
  });
});

describe('record schemas reject bad shapes', () => {
  it('Citation', () => {
    expect(Citation.parse(cite)).toEqual(cite);
    expect(Citation.safeParse({ ...cite, alignment: 'close' }).success).toBe(false);
    expect(Citation.safeParse({ ...cite, start: 1.5 }).success).toBe(false);
    expect(Citation.safeParse({ ...cite, start: '0' }).success).toBe(false);
    const { quote: _q, ...noQuote } = cite;
    expect(Citation.safeParse(noQuote).success).toBe(false);
  });

  it('Fact', () => {
    expect(Fact.safeParse({ text: 'The app crashed.', citations: [cite] }).success).toBe(true);
    expect(Fact.safeParse({ text: 'The app crashed.' }).success).toBe(false);
    expect(Fact.safeParse({ text: 'x', citations: [{ ...cite, end: null }] }).success).toBe(false);
  });

  it('Postmortem', () => {
    const pm = emptyPostmortem('Title');
    pm.impacts.push({ text: 'Users could not log in.', citations: [cite] });
    expect(Postmortem.parse(pm)).toEqual(pm);
    const { fixes: _f, ...missing } = pm;
    expect(Postmortem.safeParse(missing).success).toBe(false);
    expect(Postmortem.safeParse({ ...pm, impacts: ['Users could not log in.'] }).success).toBe(false);
  });

  it('TaxonomyLabel', () => {
    const ok = { dimension: 'phase', options: ['design'], rationale: 'r', confidence: 0.7, citations: [cite], provenance: prov };
    expect(TaxonomyLabel.safeParse(ok).success).toBe(true);
    expect(TaxonomyLabel.safeParse({ ...ok, dimension: 'colour' }).success).toBe(false);
    expect(TaxonomyLabel.safeParse({ ...ok, options: [] }).success).toBe(false);
    expect(TaxonomyLabel.safeParse({ ...ok, confidence: 1.2 }).success).toBe(false);
    expect(TaxonomyLabel.safeParse({ ...ok, confidence: -0.1 }).success).toBe(false);
    expect(TaxonomyLabel.safeParse({ ...ok, provenance: { backend: 'offline' } }).success).toBe(false);
    expect(TaxonomyLabel.safeParse({ ...ok, citations: [{ ...cite, alignment: 'maybe' }] }).success).toBe(false);
  });
});
