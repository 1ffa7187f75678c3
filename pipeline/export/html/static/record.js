// Clicking a fact or label marks its cited spans and scrolls to them (again: to the next one); clicking
// a marked passage goes to what cites it. Everything is read from the page's own markup.
const status = document.getElementById('status');
let current = null;
let at = 0;

const marksOf = (key) => [...document.querySelectorAll('mark[data-keys]')].filter((m) => m.dataset.keys.split(' ').includes(key));

function show(key) {
  for (const m of document.querySelectorAll('mark.on')) m.classList.remove('on');
  for (const b of document.querySelectorAll('.item.on')) b.classList.remove('on');
  const marks = marksOf(key);
  const button = document.getElementById(`item-${key}`);
  button?.classList.add('on');
  if (!marks.length) {
    current = null;
    document.body.classList.remove('focus');
    status.textContent = 'No cited passage for this item.';
    return;
  }
  at = current === key ? (at + 1) % marks.length : 0;
  current = key;
  document.body.classList.add('focus');
  // The chosen item's own colour, whichever item a shared span is coloured by otherwise.
  const colour = getComputedStyle(button ?? marks[0]);
  document.body.style.setProperty('--on-hl', colour.getPropertyValue('--hl'));
  document.body.style.setProperty('--on-hl-strong', colour.getPropertyValue('--hl-strong'));
  for (const m of marks) m.classList.add('on');
  marks[at].scrollIntoView({ block: 'center' });
  status.textContent = `${button?.dataset.name ?? key}: passage ${at + 1} of ${marks.length}`;
}

document.addEventListener('click', (e) => {
  const legend = e.target.closest('.legend-chip');
  if (legend) {
    const on = legend.getAttribute('aria-pressed') !== 'true';
    legend.setAttribute('aria-pressed', String(on));
    for (const m of document.querySelectorAll(`mark.g-${legend.dataset.group}`)) m.classList.toggle('hidden', !on);
    return;
  }
  const item = e.target.closest('.item[data-key]');
  if (item) {
    show(item.dataset.key);
    return;
  }
  const mark = e.target.closest('mark[data-keys]');
  if (mark) {
    const key = mark.dataset.keys.split(' ').find((k) => k !== current) ?? current;
    const target = document.getElementById(`item-${key}`);
    if (target) {
      target.scrollIntoView({ block: 'center' });
      target.focus();
      show(key);
    }
  }
});

document.addEventListener('keydown', (e) => {
  const item = e.target.closest?.('.item[data-key]');
  if (item && (e.key === 'Enter' || e.key === ' ')) {
    e.preventDefault();
    show(item.dataset.key);
    return;
  }
  if (e.key === 'Escape' && current) {
    for (const m of document.querySelectorAll('mark.on')) m.classList.remove('on');
    document.body.classList.remove('focus');
    current = null;
    status.textContent = '';
  }
});
