import { POSTMORTEM_FIELDS, TAXONOMY } from '../../../schemas/index.ts';
import { splitFacts } from '../../../evals/facts.ts';
import type { Neighbour, PoolIncident } from '../../examples/pool.ts';
import { hashOf } from '../../text/hash.ts';
import type { TokenCounter } from './tokens.ts';

export type ExampleTask = 'extract' | 'classify';

const CONVENTIONS: Record<ExampleTask, string> = {
  extract: 'which facts they record in each field, and how specifically',
  classify: 'which options they choose in each dimension',
};

const factsOf = (i: PoolIncident, field: (typeof POSTMORTEM_FIELDS)[number]) => splitFacts(i.gold.postmortem[field]);

/**
 * What the analysts recorded, in the shape the task answers in: every gold fact per field (extract),
 * or a summary from the first facts and the option keys per dimension (classify). Null when they
 * recorded nothing the task could learn from.
 */
function recorded(task: ExampleTask, i: PoolIncident): string[] | null {
  if (task === 'extract') {
    const fields = POSTMORTEM_FIELDS.flatMap((f) => {
      const facts = factsOf(i, f);
      return facts.length ? [`${f}: ${facts.join(' | ')}`] : [];
    });
    return fields.length ? fields : null;
  }
  const labels = TAXONOMY.flatMap((d) => {
    const options = i.gold.taxonomy[d.key as keyof typeof i.gold.taxonomy];
    return options?.length ? [`${d.key}: ${options.join(', ')}`] : [];
  });
  if (!labels.length) return null;
  const summary = [
    factsOf(i, 'system')[0],
    factsOf(i, 'softwareCauses')[0] ?? factsOf(i, 'nonSoftwareCauses')[0],
    factsOf(i, 'impacts')[0],
  ].filter((s): s is string => !!s);
  return [...(summary.length ? [`summary: ${summary.join(' · ')}`] : []), `labels: ${labels.join(' | ')}`];
}

/**
 * The examples as one delimited block after a line that says what they are for. Their facts may
 * restate article text, so they sit inside boundary lines like any third-party text; the code is a
 * hash of the content, as for article blocks. Ends with a blank line: it goes right before the articles.
 */
function render(task: ExampleTask, entries: readonly string[]): string {
  const body = entries.join('\n\n');
  const code = hashOf(['examples-block', body]).slice(0, 12);
  return `${[
    `Examples: ${entries.length} other incident(s) like this one as analysts recorded them, most similar first, to show their conventions: ${CONVENTIONS[task]}. ` +
      'Nothing in them is about this incident: answer from the articles only, and quote only the articles.',
    `<<<BEGIN EXAMPLES · boundary ${code}>>>`,
    body,
    `<<<END EXAMPLES · boundary ${code}>>>`,
  ].join('\n')}\n\n`;
}

export interface ExamplesBlock {
  /** The text for the template's {{examples}}: empty when no example is shown. */
  text: string;
  shown: Neighbour[];
}

/**
 * Up to `k` examples, the most similar first, in at most `maxTokens` tokens all told. An example that
 * does not fit is left out whole, never cut, and the next one is tried: a shorter one may still fit.
 */
export function examplesBlock(
  task: ExampleTask,
  ranked: readonly Neighbour[],
  limits: { k: number; maxTokens: number },
  count: TokenCounter,
): ExamplesBlock {
  const entries: string[] = [];
  const out: ExamplesBlock = { text: '', shown: [] };
  for (const n of ranked) {
    if (out.shown.length >= limits.k) break;
    const lines = recorded(task, n.incident);
    if (!lines) continue;
    const why = n.shared.length ? `shares: ${n.shared.join(', ')}` : 'shares no distinctive word';
    const entry = [`Example ${entries.length + 1} (${why})`, ...lines].join('\n');
    const text = render(task, [...entries, entry]);
    if (count(text) > limits.maxTokens) continue;
    entries.push(entry);
    out.text = text;
    out.shown.push(n);
  }
  return out;
}
