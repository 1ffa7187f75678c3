import { describe, expect, it } from 'vitest';
import { FUZZY, cite, fold, placeQuote, verifyCitation } from '../pipeline/citations/align.ts';
import { checkCitations } from '../pipeline/citations/check.ts';
import type { Citation } from '../schemas/index.ts';
import { fixture } from './fixtures.ts';

const TEXT =
  'The outage began at 7 a.m. on Monday.\n\nHarbourline said it was \u201cdeeply sorry\u201d \u2014 and the app\u2019s login\u00a0service  was restored by evening.';

/** Every verified placement must hold up against the text it was placed in, as the citation stored for it. */
function placed(quote: string, text = TEXT) {
  const p = placeQuote(quote, text);
  const c = cite('a', quote, text);
  expect(c).toMatchObject(p);
  return { ...p, slice: p.start >= 0 ? text.slice(p.start, p.end) : null, stored: c.quote, verified: verifyCitation(c, text) };
}

describe('placeQuote', () => {
  it('places an exact quote, and its slice equals the quote', () => {
    const p = placed('began at 7 a.m. on Monday');
    expect(p).toMatchObject({ alignment: 'exact', slice: 'began at 7 a.m. on Monday', verified: true });
    expect(p.start).toBe(TEXT.indexOf('began'));
  });

  it('trims the quote before placing it exactly', () => {
    expect(placed('  began at 7 a.m.\n')).toMatchObject({ alignment: 'exact', slice: 'began at 7 a.m.', verified: true });
    expect(cite('a', '  began at 7 a.m.\n', TEXT).quote).toBe('began at 7 a.m.');
  });

  it('places straight quotes against curly ones (normalized)', () => {
    expect(placed('said it was "deeply sorry"')).toMatchObject({
      alignment: 'normalized',
      slice: 'said it was \u201cdeeply sorry\u201d',
      verified: true,
    });
    expect(placed("the app's login")).toMatchObject({ alignment: 'normalized', slice: 'the app\u2019s login', verified: true });
  });

  it('places hyphens against dashes (normalized)', () => {
    expect(placed('"deeply sorry" - and the')).toMatchObject({
      alignment: 'normalized',
      slice: '\u201cdeeply sorry\u201d \u2014 and the',
      verified: true,
    });
  });

  it('folds whitespace runs, line breaks and no-break spaces (normalized)', () => {
    expect(placed('on Monday. Harbourline said')).toMatchObject({
      alignment: 'normalized',
      slice: 'on Monday.\n\nHarbourline said',
      verified: true,
    });
    expect(placed('login service was restored')).toMatchObject({
      alignment: 'normalized',
      slice: 'login\u00a0service  was restored',
      verified: true,
    });
  });

  it('folds case (normalized)', () => {
    expect(placed('THE OUTAGE BEGAN')).toMatchObject({ alignment: 'normalized', slice: 'The outage began', verified: true });
  });

  it('applies NFKC: full-width letters, ligatures, composed and decomposed accents', () => {
    const text = 'The \uff21\uff30\uff29 failed. Staff could not \ufb01le reports. The caf\u00e9 app and the cafe\u0301 site were down.';
    expect(placed('the API failed', text)).toMatchObject({
      alignment: 'normalized',
      slice: 'The \uff21\uff30\uff29 failed',
      verified: true,
    });
    expect(placed('could not file reports', text)).toMatchObject({
      alignment: 'normalized',
      slice: 'could not \ufb01le reports',
      verified: true,
    });
    // Decomposed accent in the text, composed one in the quote: the combining mark is part of the slice.
    expect(placed('the caf\u00e9 site', text)).toMatchObject({ alignment: 'normalized', slice: 'the cafe\u0301 site', verified: true });
    expect(placed('the cafe\u0301 app', text)).toMatchObject({ alignment: 'normalized', slice: 'The caf\u00e9 app', verified: true });
  });

  it('ignores soft hyphens and zero-width spaces in scraped text (normalized)', () => {
    const text = 'The service was un\u00adavailable for\u200b six hours.';
    expect(placed('was unavailable for six hours', text)).toMatchObject({
      alignment: 'normalized',
      slice: 'was un\u00adavailable for\u200b six hours',
      verified: true,
    });
  });

  it('places a lightly reworded quote fuzzily, over the words it matches', () => {
    const a = fixture('bank1');
    const quote = 'the problem was caused by a bug in the update to its login service released overnight';
    const p = placed(quote, a.text);
    expect(p.alignment).toBe('fuzzy');
    expect(p.verified).toBe(true);
    expect(p.slice).toMatch(/^the problem was caused by a bug in an update to its login service that was released overnight$/);
  });

  it("stores the article's text for a normalized or fuzzy placement, never the quote as given", () => {
    expect(placed('THE OUTAGE BEGAN')).toMatchObject({ alignment: 'normalized', stored: 'The outage began' });
    const a = fixture('bank1');
    const p = placed('the problem was caused by a bug in the update to its login service released overnight', a.text);
    expect(p).toMatchObject({ alignment: 'fuzzy', verified: true });
    expect(p.stored).toBe(p.slice);
  });

  it('never places a quote fuzzily over a span whose negations, numbers or names differ', () => {
    const text =
      'The outage was caused by a configuration error in the billing system, the company said on Monday. ' +
      'Harbourline said two million customers had been affected. Engineers had found some faults in the backup system.';
    const q = (quote: string) => placed(quote, text).alignment;
    // The cases: a negation added, "never … any", a number changed.
    expect(q('The outage was not caused by a configuration error in the billing system')).toBe('unaligned');
    expect(q('Engineers had never found any faults in the backup system')).toBe('unaligned');
    expect(q('Harbourline said 20 million customers had been affected')).toBe('unaligned');
    expect(q('Northbank said two million customers had been affected')).toBe('unaligned');
    expect(q('the company said on Tuesday')).toBe('unaligned');
    // A case change of a name or a contraction of a negation is not a change of meaning; a dropped word is fuzzy.
    expect(q('harbourline said two million customers had been affected')).toBe('normalized');
    expect(q('The outage was caused by a configuration error in billing system')).toBe('fuzzy');
  });

  it("never places a quote over the article's words right after a negation it leaves out", () => {
    const text = 'The bank said that no customer data was lost. Staff did not restart the servers. Customer data was lost in 2019.';
    const q = (quote: string) => placed(quote, text);
    // Found again later, where no negation stands before it, the quote is placed there.
    expect(q('customer data was lost')).toMatchObject({ alignment: 'normalized', start: text.indexOf('Customer data was lost') });
    expect(q('restart the servers').alignment).toBe('unaligned');
    expect(q('RESTART the servers').alignment).toBe('unaligned');
    expect(q('Staff restart the servers').alignment).toBe('unaligned');
    expect(q('did not restart the servers').alignment).toBe('exact');
    expect(q('no customer data was lost').alignment).toBe('exact');
  });

  it('leaves a quote that is not in the text unaligned, at -1', () => {
    const a = fixture('bank1');
    for (const q of ['The regulator fined the bank twelve million pounds on Friday.', '', '   ', 'app down']) {
      expect(placed(q, a.text), q).toMatchObject({ alignment: 'unaligned', start: -1, end: -1, verified: false });
    }
  });

  it('rejects a fuzzy match whose words are too scattered', () => {
    expect(FUZZY.minCoverage).toBeGreaterThan(0.5);
    const a = fixture('bank1');
    // Words all present in the article, but spread over many sentences and out of order.
    expect(placed('refund customers engineers spokesperson overnight Monday thousands', a.text).alignment).toBe('unaligned');
  });
});

describe('verifyCitation', () => {
  const a = fixture('bank1');
  const at = a.text.indexOf('Thousands of customers');
  const good: Citation = { articleId: a.id, quote: 'Thousands of customers', start: at, end: at + 22, alignment: 'exact' };

  it('accepts an exact citation whose slice equals its quote', () => {
    expect(verifyCitation(good, a.text)).toBe(true);
  });

  it('rejects wrong offsets, out-of-range spans and unaligned citations', () => {
    expect(verifyCitation({ ...good, start: at + 1, end: at + 23 }, a.text)).toBe(false);
    expect(verifyCitation({ ...good, end: a.text.length + 5 }, a.text)).toBe(false);
    expect(verifyCitation({ ...good, start: -1, end: -1 }, a.text)).toBe(false);
    expect(verifyCitation({ ...good, start: at, end: at }, a.text)).toBe(false);
    expect(verifyCitation({ ...good, alignment: 'unaligned' }, a.text)).toBe(false);
  });

  it("accepts a normalized or fuzzy citation only when its quote is the article's text at the span", () => {
    expect(verifyCitation({ ...good, alignment: 'normalized' }, a.text)).toBe(true);
    expect(verifyCitation({ ...good, alignment: 'fuzzy' }, a.text)).toBe(true);
    // The backend's own wording is never verified, however close it folds or matches.
    expect(verifyCitation({ ...good, quote: 'THOUSANDS  of customers', alignment: 'normalized' }, a.text)).toBe(false);
    expect(verifyCitation({ ...good, quote: 'Thousands of the customers', alignment: 'fuzzy' }, a.text)).toBe(false);
    expect(verifyCitation({ ...good, quote: 'thousands of customers' }, a.text)).toBe(false);
  });
});

describe('fold', () => {
  it('maps every folded character back into the original text', () => {
    const { folded, origin, originEnd } = fold(TEXT);
    expect(origin).toHaveLength(folded.length);
    expect(originEnd).toHaveLength(folded.length);
    for (let i = 0; i < folded.length; i++) {
      expect(origin[i]).toBeLessThan(originEnd[i]);
      if (i > 0) expect(origin[i]).toBeGreaterThanOrEqual(origin[i - 1]);
    }
    expect(folded).not.toMatch(/\s{2}/);
  });
});

describe('checkCitations', () => {
  it('keeps verified citations, re-places wrong ones, and marks the unplaceable unaligned', () => {
    const a = fixture('bank1');
    const at = a.text.indexOf('Engineers restored the service');
    const holders: { citations: Citation[] }[] = [
      {
        citations: [
          { articleId: a.id, quote: 'Engineers restored the service', start: at, end: at + 30, alignment: 'exact' as const },
          { articleId: a.id, quote: 'Engineers restored the service', start: 0, end: 30, alignment: 'exact' as const },
          { articleId: a.id, quote: ' ENGINEERS RESTORED the service ', start: 0, end: 5, alignment: 'exact' as const },
          { articleId: a.id, quote: 'The bank was fined by the regulator.', start: 3, end: 9, alignment: 'exact' as const },
          { articleId: 'missing', quote: 'Engineers restored the service', start: at, end: at + 30, alignment: 'exact' as const },
        ],
      },
    ];
    expect(checkCitations(holders, [a])).toEqual({ checked: 5, unaligned: 2 });
    const [c0, c1, c2, c3, c4] = holders[0].citations;
    expect(c0).toMatchObject({ start: at, end: at + 30, alignment: 'exact' });
    expect(c1).toMatchObject({ start: at, end: at + 30, alignment: 'exact' });
    // Placed again, it carries the article's words, not the backend's.
    expect(c2).toMatchObject({ quote: 'Engineers restored the service', start: at, end: at + 30, alignment: 'normalized' });
    expect(c3).toMatchObject({ start: -1, end: -1, alignment: 'unaligned' });
    expect(c4).toMatchObject({ start: -1, end: -1, alignment: 'unaligned' });
    for (const c of holders[0].citations) {
      if (c.alignment !== 'unaligned') expect(verifyCitation(c, a.text)).toBe(true);
      if (c.alignment !== 'unaligned') expect(a.text.slice(c.start, c.end)).toBe(c.quote);
    }
  });

  it('checks every list of a postmortem-shaped object', () => {
    const a = fixture('car');
    const pm = {
      title: 't',
      summary: 's',
      impacts: [
        {
          text: 'x',
          citations: [{ articleId: a.id, quote: 'Velto is recalling 40,000 electric cars', start: 1, end: 2, alignment: 'exact' as const }],
        },
      ],
    };
    expect(checkCitations(pm, [a])).toEqual({ checked: 1, unaligned: 0 });
    expect(pm.impacts[0].citations[0]).toMatchObject({ start: 0, end: 39, alignment: 'exact' });
  });
});
