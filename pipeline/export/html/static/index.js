// The index's filters: search words and taxonomy options, read from each row's data attributes.
const rows = [...document.querySelectorAll('.incident')];
const q = document.getElementById('q');
const chosen = new Map();

function apply() {
  const terms = q.value.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const row of rows) {
    const labels = new Set(row.dataset.labels.split(' '));
    const ok =
      terms.every((t) => row.dataset.text.includes(t)) &&
      [...chosen].every(([dim, opts]) => [...opts].some((o) => labels.has(`${dim}:${o}`)));
    row.hidden = !ok;
    if (ok) shown++;
  }
  document.getElementById('shown').textContent = String(shown);
  document.getElementById('none').hidden = shown > 0;
}

document.addEventListener('click', (e) => {
  const opt = e.target.closest('.opt');
  if (opt) {
    const set = chosen.get(opt.dataset.dim) ?? new Set();
    const on = !set.has(opt.dataset.opt);
    if (on) set.add(opt.dataset.opt);
    else set.delete(opt.dataset.opt);
    if (set.size) chosen.set(opt.dataset.dim, set);
    else chosen.delete(opt.dataset.dim);
    opt.setAttribute('aria-pressed', String(on));
    apply();
  }
  if (e.target.id === 'clear') {
    chosen.clear();
    q.value = '';
    for (const b of document.querySelectorAll('.opt')) b.setAttribute('aria-pressed', 'false');
    apply();
  }
});
q.addEventListener('input', apply);
// On a narrow screen the options start folded, so the incidents show first.
if (window.matchMedia('(max-width: 900px)').matches) document.querySelector('details.facets').open = false;
