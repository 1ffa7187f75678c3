import { type Article, POSTMORTEM_FIELDS, type Postmortem } from '../../../schemas/index.ts';
import { hashOf } from '../../text/hash.ts';
import { type Passage, renderExcerpts, wholeArticle } from './articles.ts';

/** What classification reads in place of the articles: a rendered text and the articles its quotes come from. */
export interface Digest {
  text: string;
  /** The articles shown, in block order: the model's quotes are placed in their whole original text. */
  passages: Passage[];
}

/**
 * Overlapping spans become one, so no text is shown twice; so do spans only whitespace apart, so
 * that consecutive sentences read (and can be quoted) as the article has them.
 */
function mergeSpans(text: string, spans: { start: number; end: number }[]): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    const last = out.at(-1);
    if (last && (s.start <= last.end || !text.slice(last.end, s.start).trim())) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * The postmortem as classification evidence: its title and summary, then for each article the
 * verified quotes its facts rest on. Extraction already read every article and kept only what quotes
 * support, so classifying from this costs a fraction of the articles' tokens while every quote the
 * model gives back is still article text (placed against the whole article, not the digest). The
 * facts' own sentences are left out: they restate their quotes, which are shown. Null when the
 * postmortem holds no verified quote to classify from.
 */
export function renderDigest(pm: Postmortem, articles: readonly Article[]): Digest | null {
  const spans = new Map<string, { start: number; end: number }[]>();
  const byId = new Map(articles.map((a) => [a.id, a]));
  for (const f of POSTMORTEM_FIELDS) {
    for (const fact of pm[f]) {
      for (const c of fact.citations) {
        const a = byId.get(c.articleId);
        // Only spans that still hold their quote: a stale or unaligned citation shows nothing.
        if (!a || c.alignment === 'unaligned' || c.start < 0 || c.end <= c.start || c.end > a.text.length) continue;
        spans.set(a.id, [...(spans.get(a.id) ?? []), { start: c.start, end: c.end }]);
      }
    }
  }
  const shown = articles.filter((a) => spans.has(a.id));
  if (!shown.length) return null;
  const body = `title: ${oneLine(pm.title)}\nsummary: ${oneLine(pm.summary)}`;
  // Written by a model from untrusted text: data too, inside its own boundary.
  const code = hashOf(['postmortem-block', body]).slice(0, 12);
  const blocks = shown.map((a, i) => renderExcerpts(a, mergeSpans(a.text, spans.get(a.id)!), i + 1));
  return {
    text: [`<<<BEGIN POSTMORTEM · boundary ${code}>>>\n${body}\n<<<END POSTMORTEM · boundary ${code}>>>`, ...blocks].join('\n\n'),
    passages: shown.map(wholeArticle),
  };
}
