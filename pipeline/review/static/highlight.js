import { h } from './dom.js';

/**
 * An article's text with cited spans marked. Spans may overlap: the text is cut at every span edge
 * and each piece is wrapped in one <mark> naming all the spans covering it. Text goes in as text nodes.
 *
 * spans: [{ start, end, key, name, current, alignment }]; onMark(keys, markEl) on click.
 */
export function highlighted(text, spans, onMark) {
  const valid = spans.filter(
    (s) => Number.isInteger(s.start) && Number.isInteger(s.end) && s.start >= 0 && s.end > s.start && s.end <= text.length,
  );
  const cuts = [...new Set([0, text.length, ...valid.flatMap((s) => [s.start, s.end])])].sort((a, b) => a - b);
  const frag = document.createDocumentFragment();
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [from, to] = [cuts[i], cuts[i + 1]];
    const piece = text.slice(from, to);
    const covering = valid.filter((s) => s.start <= from && s.end >= to);
    if (!covering.length) {
      frag.append(document.createTextNode(piece));
      continue;
    }
    const current = covering.some((s) => s.current);
    const rough = covering.every((s) => s.alignment === 'fuzzy');
    const keys = [...new Set(covering.map((s) => s.key))];
    const names = [...new Set(covering.map((s) => s.name))];
    const mark = h(
      'mark',
      {
        class: ['cite', current ? 'current' : '', rough ? 'fuzzy' : '', keys.length > 1 ? 'multi' : ''].filter(Boolean).join(' '),
        title: `Cited by: ${names.join(', ')}${rough ? ' (fuzzy match)' : ''}`,
        tabindex: '-1',
      },
      piece,
    );
    mark.dataset.keys = JSON.stringify(keys);
    if (current) mark.dataset.current = '1';
    mark.addEventListener('click', (e) => {
      e.stopPropagation();
      onMark(keys, mark);
    });
    frag.append(mark);
  }
  return frag;
}
