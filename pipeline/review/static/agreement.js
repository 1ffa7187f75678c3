import { append, clear, h, pct, toast } from './dom.js';
import { get } from './api.js';

/** Model versus reviewer, per dimension, and what to do with the decisions next. */
export function mountAgreement(main) {
  const root = h('div', { class: 'agreement' }, h('p', { class: 'empty' }, 'Loading…'));
  main.append(h('div', { class: 'page' }, root));
  get('/api/agreement').then(
    (a) => {
      const bar = (rate) => {
        const fill = h('span', { class: 'bar-fill' });
        fill.style.width = `${Math.round((rate ?? 0) * 100)}%`;
        return h('span', { class: `bar ${rate === null ? 'none' : rate < 0.5 ? 'low' : rate < 0.8 ? 'mid' : 'high'}` }, fill);
      };
      append(clear(root), [
        h('h1', {}, 'Model versus reviewer'),
        h(
          'p',
          { class: 'lead' },
          a.labels.reviewed
            ? [
                "The model's label matched the reviewer's on ",
                h('b', {}, `${a.labels.agreed} of ${a.labels.reviewed}`),
                ` reviewed labels (${pct(a.labels.rate)}). `,
              ]
            : 'No label has been reviewed yet. ',
          `${a.decisions} decision(s) by ${a.reviewers.length ? a.reviewers.join(', ') : 'nobody yet'}.`,
        ),
        h(
          'table',
          { class: 'agreement-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', {}, 'Dimension'),
              h('th', { class: 'num' }, 'Reviewed'),
              h('th', { class: 'num' }, 'Agreed'),
              h('th', {}, 'Agreement'),
            ),
          ),
          h(
            'tbody',
            {},
            a.dimensions.map((d) =>
              h(
                'tr',
                { class: d.reviewed ? '' : 'dim-none' },
                h('td', {}, d.title),
                h('td', { class: 'num' }, String(d.reviewed)),
                h('td', { class: 'num' }, String(d.agreed)),
                h('td', { class: 'rate' }, bar(d.rate), ` ${pct(d.rate)}`),
              ),
            ),
          ),
        ),
        h('h2', {}, 'Facts'),
        h(
          'p',
          {},
          `${a.facts.reviewed} reviewed: ${a.facts.accepted} accepted, ${a.facts.changed} corrected, ${a.facts.unsupported} marked unsupported.`,
        ),
        h('h2', {}, 'Use the decisions as gold'),
        h('p', {}, 'Export the reviewed incidents in the benchmark format, then score any run against them:'),
        h('pre', { class: 'code' }, 'npx failscope review export --out gold-review\nnpx failscope eval --gold gold-review'),
        h(
          'p',
          { class: 'muted' },
          "A dimension nobody reviewed is left out of the gold (not scored) unless you pass --include-unreviewed. Agreement counts a label as agreed when the reviewer's options equal the options the model gave when the decision was made.",
        ),
      ]);
    },
    (e) => toast(e.message, 'error'),
  );
  return { keydown: () => false, unmount() {} };
}
