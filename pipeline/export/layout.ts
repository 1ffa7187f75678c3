import type {
  Article,
  ExportFact,
  ExportLabel,
  ExportRecord,
  PostmortemField,
  ReviewStamp,
  TaxonomyDimension,
} from '../../schemas/index.ts';
import { POSTMORTEM_FIELDS, POSTMORTEM_TITLES, TAXONOMY, type Section } from '../../schemas/index.ts';

/**
 * One incident in the layout of FAIL's record page (../shared/reference/example-record.txt), as data:
 * the Markdown and HTML exports both render it, so the two never drift apart.
 */
export interface RecordLayout {
  title: string;
  published: string;
  /** "produced by <backend> (<model>), run <id>" when known. */
  producedBy: string | null;
  summary: string;
  fields: { field: PostmortemField; title: string; facts: ExportFact[] | null }[];
  tables: { section: Section; title: string; head: string; rows: LayoutRow[] }[];
  sources: { id: string; article: Article | undefined }[];
}

export interface LayoutRow {
  dimension: TaxonomyDimension;
  /** IoT layers of a system that is not cyber-physical. */
  notApplicable: boolean;
  label: ExportLabel | undefined;
}

const TABLES: [Section, string, string][] = [
  ['faults', 'Software Taxonomy of Faults', 'Category'],
  ['iot', 'IoT System Layer', 'Layer'],
  ['other', 'Other Details', 'Category'],
];
/** Rows whose order on FAIL's page differs from the taxonomy's: it lists Consequence before Domain. */
const PAGE_ORDER: readonly string[] = ['consequence', 'domain'];
const pageRank = (d: TaxonomyDimension) => PAGE_ORDER.indexOf(d.key);

export const NOT_APPLICABLE = 'The system is not cyber-physical, so IoT layers are not labelled.';

/** FAIL renders booleans as TRUE/FALSE. */
export const optionName = (o: string) => (o === 'true' || o === 'false' ? o.toUpperCase() : o);

/** The articles a fact or label cites, each once, in citation order. */
export const articleRefs = (cs: readonly { articleId: string }[]) => [...new Set(cs.map((c) => c.articleId))];

/** " [Article a, Article b]" as FAIL's record cites them, or "" when nothing is cited. */
export const articleRefText = (cs: readonly { articleId: string }[]) => {
  const ids = articleRefs(cs);
  return ids.length ? ` [${ids.map((r) => `Article ${r}`).join(', ')}]` : '';
};

const ACTION_WORDS: Record<ReviewStamp['action'], string> = {
  accept: 'accepted',
  change: 'changed',
  unknown: 'marked unknown',
  note: 'noted',
};

/** "changed by Tess on 2026-12-06": what the reviewer did, by whom, when. */
export function reviewWords(r: ReviewStamp, kind: 'label' | 'fact'): string {
  const what =
    r.action === 'unknown' && kind === 'fact'
      ? 'marked unsupported'
      : r.action === 'change' && kind === 'fact'
        ? 'corrected'
        : ACTION_WORDS[r.action];
  return `${what} by ${r.reviewer} on ${r.at.slice(0, 10)}`;
}

export function recordLayout(rec: ExportRecord, articles: ReadonlyMap<string, Article>): RecordLayout {
  const labels = new Map(rec.labels.map((l) => [l.dimension, l]));
  const cps = labels.get('cps')?.options.includes('true') ?? false;
  const p = rec.postmortemProvenance;
  return {
    title: rec.title || rec.id,
    published: rec.published ?? 'unknown',
    producedBy: p ? `produced by ${p.backend} (${p.model}), run ${p.runId}` : null,
    summary: rec.postmortem?.summary ?? '',
    fields: POSTMORTEM_FIELDS.map((f) => ({ field: f, title: POSTMORTEM_TITLES[f], facts: rec.postmortem ? rec.postmortem[f] : null })),
    tables: TABLES.map(([section, title, head]) => ({
      section,
      title,
      head,
      rows: TAXONOMY.filter((d) => d.section === section)
        .sort((a, b) => pageRank(a) - pageRank(b))
        .map((d) => ({ dimension: d, notApplicable: d.iotOnly && !cps, label: labels.get(d.key) })),
    })),
    sources: rec.articleIds.map((id) => ({ id, article: articles.get(id) })),
  };
}
