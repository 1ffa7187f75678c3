import { describe, expect, it } from 'vitest';
import { Grouper } from '../pipeline/group/cluster.ts';
import { nameOverlap, properNames } from '../pipeline/text/names.ts';
import { toArticle } from '../pipeline/ingest/article.ts';
import { terms } from '../pipeline/group/tfidf.ts';
import { RAW, SPANISH } from './fixtures.ts';

const article = (id: string, headline: string, text: string, published = '2023-03-06') =>
  toArticle({ id, headline, text, published, origin: 'test' });

describe('proper names', () => {
  it('takes capitalised words inside sentences, not sentence openers or calendar words', () => {
    const names = properNames({
      headline: 'Outage at Harbourline Bank',
      text: 'Customers of Harbourline Bank could not pay on Monday. Engineers at Velto Systems blamed an update in March.',
    });
    expect([...names].sort()).toEqual(['Bank', 'Harbourline', 'Systems', 'Velto']);
  });

  it('measures overlap on the smaller set', () => {
    expect(nameOverlap(new Set(['Harbourline', 'Velto']), new Set(['Harbourline', 'Velto', 'Kestrel', 'Ardmoor']))).toBe(1);
    expect(nameOverlap(new Set(['Harbourline']), new Set(['Kestrel']))).toBe(0);
    expect(nameOverlap(new Set(), new Set(['Kestrel']))).toBe(0);
  });
});

describe('grouping with names', () => {
  it("puts a higher similarity to the backend when the report names the incident's organisation and system", () => {
    const body = (
      org: string,
      system: string,
    ) => `Customers of ${org} were unable to make card payments for most of the day after the ${system} payment platform failed.

The outage at ${org} began in the morning and lasted nine hours; thousands of card payments were declined at shops.

${org} said the ${system} platform had been restored and apologised to customers.`;
    // Filler stories make the names distinctive, as in any real collection.
    const filler = Array.from({ length: 60 }, (_x, i) =>
      article(`f${i}`, `Council news ${i}`, `The council met on Tuesday to discuss roads and parks, item ${i}.`),
    );
    const first = article('a', 'Harbourline Bank payment outage', body('Harbourline Bank', 'Tillway'));
    const same = article('b', 'Payment outage at bank', body('Harbourline Bank', 'Tillway'), '2023-03-08');
    // The same words in lower case: the same TF-IDF vector, but no proper names to share.
    const other = article('c', 'Payment outage at bank', body('harbourline bank', 'tillway'), '2023-03-08');
    const seen = new Map<string, number>();
    for (const probe of [same, other]) {
      const g = new Grouper([...filler, first, same, other], () => true, new Map([['a', 'inc-1']]));
      seen.set(probe.id, g.questions(probe.id).find((q) => q.candidate === 'a')!.evidence);
    }
    expect(seen.get('b')).toBeGreaterThan(seen.get('c')!);
  });
});

describe('grouping across languages', () => {
  const english = article('en', RAW.bank1.headline, RAW.bank1.text);
  const spanish = article('es', 'Un fallo deja sin servicio la aplicación de Harbourline Bank', SPANISH, '2023-03-07');

  it('reads an article in another language by its names and numbers, not by its function words', () => {
    const t = terms(spanish);
    expect(t).toEqual(expect.arrayContaining(['harbourline', 'bank']));
    expect(t.filter((w) => ['los', 'que', 'una', 'por', 'del', 'clientes', 'servicio'].includes(w))).toEqual([]);
    expect(terms(english)).toEqual(expect.arrayContaining(['customers', 'outage', 'harbourline']));
  });

  it('puts the Spanish report of a failure to the backend as a candidate of the English one', () => {
    const filler = Array.from({ length: 60 }, (_x, i) =>
      article(`f${i}`, `Council news ${i}`, `The council met on Tuesday to discuss roads and parks, item ${i}.`),
    );
    // Another Spanish story, about something else: sharing function words is no reason to join it.
    const otherSpanish = article(
      'es2',
      'El ayuntamiento aprueba el presupuesto',
      'El ayuntamiento de la ciudad aprobó el lunes el presupuesto para el próximo año, con más dinero para los parques y las calles.',
      '2023-03-07',
    );
    const g = new Grouper([...filler, english, otherSpanish, spanish], () => true, new Map([['en', 'inc-1']]));
    const asked = g.questions('es').map((q) => q.candidate);
    expect(asked).toContain('en');
    expect(asked).not.toContain('es2');
  });
});
