import { h, chips, kbd, fmtTime, optionLabel } from './dom.js';

const SECTION = { faults: 'Software Taxonomy of Faults', iot: 'IoT System Layer', other: 'Other Details', hidden: 'Cyber-physical system' };

const ACTION_WORDS = { accept: 'accepted', change: 'changed', unknown: 'marked unknown', note: 'noted' };

export function decisionSummary(d, kind) {
  if (!d) return null;
  const what = d.action === 'unknown' && kind === 'fact' ? 'marked unsupported' : ACTION_WORDS[d.action];
  return h(
    'div',
    { class: `decision-line ${d.action}` },
    h('span', { class: 'tick' }, '✓'),
    ` ${what}`,
    d.options && d.action !== 'accept' ? [' → ', chips(d.options, 'small')] : null,
    d.text && d.action === 'change' ? [' → ', h('q', {}, d.text)] : null,
    h('span', { class: 'muted' }, ` by ${d.reviewer} · ${fmtTime(d.createdAt)}`),
  );
}

function history(list, kind) {
  if (!list.length) return null;
  return h(
    'details',
    { class: 'history' },
    h('summary', {}, `History (${list.length})`),
    h(
      'ol',
      {},
      [...list].reverse().map((d) => h('li', {}, decisionSummary(d, kind), d.note ? h('div', { class: 'note-text' }, d.note) : null)),
    ),
  );
}

function evidence(citations, onCitation) {
  const aligned = citations.filter((c) => c.alignment !== 'unaligned');
  const lost = citations.filter((c) => c.alignment === 'unaligned');
  return h(
    'div',
    { class: 'evidence' },
    h('h4', {}, `Evidence (${citations.length})`),
    citations.length ? null : h('p', { class: 'muted' }, 'No quote cited.'),
    h(
      'ul',
      {},
      aligned.map((c) =>
        h(
          'li',
          {},
          h(
            'button',
            { type: 'button', class: 'quote', title: 'Show in the article', onclick: () => onCitation(c.articleId) },
            `“${c.quote}”`,
          ),
          h(
            'div',
            { class: 'cite-meta' },
            h('span', { class: `align ${c.alignment}` }, c.alignment),
            h('span', { class: 'muted' }, `Article ${c.articleId}`),
          ),
        ),
      ),
    ),
    lost.length
      ? h(
          'div',
          { class: 'unaligned' },
          h('div', { class: 'warn' }, `${lost.length} quote(s) not found in the article text (not verified):`),
          h(
            'ul',
            {},
            lost.map((c) => h('li', {}, h('q', {}, c.quote), h('span', { class: 'muted' }, ` Article ${c.articleId}`))),
          ),
        )
      : null,
  );
}

function provenance(p) {
  if (!p) return null;
  return h('div', { class: 'prov' }, `${p.backend} · ${p.model} · run ${p.runId} · prompt ${p.promptHash.slice(0, 10)}`);
}

function meter(confidence) {
  const bar = h('span', { class: 'meter-fill' });
  bar.style.width = `${Math.round(confidence * 100)}%`;
  return h(
    'span',
    { class: `meter ${confidence < 0.6 ? 'low' : ''}`, title: `confidence ${confidence.toFixed(2)}` },
    h('span', { class: 'meter-track' }, bar),
    ` ${confidence.toFixed(2)}`,
  );
}

function textBox(cls, value, placeholder, onSave, onCancel) {
  const area = h('textarea', { class: cls, rows: '4', placeholder, maxlength: '4000' });
  area.value = value;
  area.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      onSave(area.value);
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      onCancel();
    }
    e.stopPropagation();
  });
  return h(
    'div',
    { class: 'textbox' },
    area,
    h('div', { class: 'hint' }, kbd('Enter'), ' save · ', kbd('Shift'), '+', kbd('Enter'), ' new line · ', kbd('Esc'), ' cancel'),
  );
}

/**
 * The review card of one label or fact: the model's answer with its rationale, confidence, provenance
 * and evidence, then the reviewer's actions.
 */
export function reviewCard(ctx) {
  const { meta, sel, draft, decision, past } = ctx;
  if (sel.kind === 'label')
    return labelCard(
      ctx,
      meta.taxonomy.find((d) => d.key === sel.target),
      decision,
      past,
      draft,
    );
  return factCard(ctx, decision, past, draft);
}

function labelCard(ctx, dim, decision, past, draft) {
  const { label, others } = ctx;
  const selected = draft.options;
  const changed = label && !(selected.size === label.options.length && label.options.every((o) => selected.has(o)));
  const optionButtons = dim.options.map((o, i) =>
    h(
      'button',
      {
        type: 'button',
        class: `option ${selected.has(o.key) ? 'on' : ''}`,
        'aria-pressed': selected.has(o.key) ? 'true' : 'false',
        title: o.definition,
        onclick: () => ctx.onToggle(o.key),
        dataset: { option: o.key },
      },
      i < 9 ? kbd(String(i + 1)) : h('span', { class: 'kbd-space' }),
      h('span', { class: 'option-key' }, optionLabel(o.key)),
      h('span', { class: 'option-def' }, o.definition),
    ),
  );
  return h(
    'section',
    { class: 'card', dataset: { kind: 'label', target: dim.key, incident: ctx.sel.incidentId } },
    h('div', { class: 'eyebrow' }, `Label · ${SECTION[dim.section]} · ${dim.kind === 'boolean' ? 'true / false' : 'multi-label'}`),
    h('h2', {}, dim.title),
    h('p', { class: 'question' }, dim.question),
    label
      ? h(
          'div',
          { class: 'model' },
          h('div', { class: 'model-row' }, h('span', { class: 'k' }, 'Model'), chips(label.options, 'from-model'), meter(label.confidence)),
          h('p', { class: 'rationale' }, label.rationale || 'No rationale given.'),
          provenance(label.provenance),
          others.length
            ? h(
                'div',
                { class: 'others' },
                h('span', { class: 'k' }, 'Other backends'),
                others.map((o) =>
                  h(
                    'div',
                    { class: 'other' },
                    h('span', { class: 'muted' }, o.producer),
                    chips(o.options, 'small'),
                    ` ${o.confidence.toFixed(2)}`,
                  ),
                ),
              )
            : null,
        )
      : h('p', { class: 'muted' }, 'No backend labelled this dimension.'),
    label ? evidence(label.citations, ctx.onCitation) : null,
    h(
      'div',
      { class: 'decide' },
      h('h4', {}, 'Your decision ', h('span', { class: 'muted' }, dim.kind === 'boolean' ? '(choose one)' : '(choose any that apply)')),
      h('div', { class: 'options' }, optionButtons),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'primary', onclick: () => ctx.onAction('accept'), disabled: !label }, 'Accept ', kbd('a')),
        h(
          'button',
          { type: 'button', class: changed ? 'primary' : '', onclick: () => ctx.onAction('save'), disabled: selected.size === 0 },
          changed ? 'Save change ' : 'Save ',
          kbd('Enter'),
        ),
        h('button', { type: 'button', onclick: () => ctx.onAction('unknown') }, 'Unknown ', kbd('u')),
        h('button', { type: 'button', class: 'ghost', onclick: () => ctx.onAction('note') }, 'Note ', kbd('n')),
      ),
      draft.mode === 'note'
        ? textBox('note-input', '', 'A note for this label (kept with the decision history)', ctx.onNote, ctx.onCancel)
        : null,
      decisionSummary(decision, 'label'),
      history(past, 'label'),
    ),
  );
}

function factCard(ctx, decision, past, draft) {
  const { fact, meta } = ctx;
  return h(
    'section',
    { class: 'card', dataset: { kind: 'fact', target: fact.target, incident: ctx.sel.incidentId } },
    h('div', { class: 'eyebrow' }, 'Fact · Postmortem Analysis'),
    h('h2', {}, `${meta.postmortemTitles[fact.field]} #${fact.idx + 1}`),
    h('blockquote', { class: 'fact-text' }, fact.text),
    h('div', { class: 'prov' }, `${fact.producer}${ctx.provenance ? ` · run ${ctx.provenance.runId}` : ''}`),
    evidence(fact.citations, ctx.onCitation),
    h(
      'div',
      { class: 'decide' },
      h('h4', {}, 'Your decision'),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'primary', onclick: () => ctx.onAction('accept') }, 'Accept ', kbd('a')),
        h('button', { type: 'button', onclick: () => ctx.onAction('edit') }, 'Correct ', kbd('e')),
        h('button', { type: 'button', onclick: () => ctx.onAction('unknown') }, 'Unsupported ', kbd('u')),
        h('button', { type: 'button', class: 'ghost', onclick: () => ctx.onAction('note') }, 'Note ', kbd('n')),
      ),
      draft.mode === 'edit' ? textBox('edit-input', decision?.text ?? fact.text, 'The corrected fact', ctx.onEdit, ctx.onCancel) : null,
      draft.mode === 'note' ? textBox('note-input', '', 'A note for this fact', ctx.onNote, ctx.onCancel) : null,
      decisionSummary(decision, 'fact'),
      history(past, 'fact'),
    ),
  );
}
