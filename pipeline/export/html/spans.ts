import type { Citation } from '../../../schemas/index.ts';
import { escapeHtml as esc } from '../../text/html.ts';

/** One cited span and the item citing it: `key` names the fact or label, `group` its colour. */
export interface Span {
  start: number;
  end: number;
  key: string;
  group: string;
  name: string;
  alignment: Citation['alignment'];
}

/**
 * An article's text, escaped, with every cited span marked. Spans may overlap: the text is cut at every
 * span edge and each piece is one <mark> listing all the items covering it (data-keys), coloured by the
 * first. Unaligned spans (start = end = -1) and spans outside the text are never marked.
 */
export function markedText(text: string, spans: readonly Span[]): string {
  const valid = spans.filter((s) => s.alignment !== 'unaligned' && s.start >= 0 && s.end > s.start && s.end <= text.length);
  const cuts = [...new Set([0, text.length, ...valid.flatMap((s) => [s.start, s.end])])].sort((a, b) => a - b);
  let out = '';
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [from, to] = [cuts[i], cuts[i + 1]];
    const piece = esc(text.slice(from, to));
    const covering = valid.filter((s) => s.start <= from && s.end >= to);
    if (!covering.length) {
      out += piece;
      continue;
    }
    const keys = [...new Set(covering.map((s) => s.key))];
    const names = [...new Set(covering.map((s) => s.name))];
    const fuzzy = covering.every((s) => s.alignment === 'fuzzy');
    const cls = ['cite', `g-${covering[0].group}`, keys.length > 1 ? 'multi' : '', fuzzy ? 'fuzzy' : ''].filter(Boolean).join(' ');
    out += `<mark class="${cls}" data-keys="${esc(keys.join(' '))}" title="${esc(`Cited by: ${names.join(', ')}${fuzzy ? ' (fuzzy match)' : ''}`)}">${piece}</mark>`;
  }
  return out;
}
