import { describe, expect, it } from 'vitest';
import { readArticle } from '../pipeline/backends/offline/evidence.ts';
import { screeningFeatures } from '../pipeline/backends/offline/features.ts';
import { type FixtureKey, RAW, fixture } from './fixtures.ts';

const doc = (headline: string) => readArticle(fixture(Object.keys(RAW)[0] as FixtureKey, { headline }));

// Launches, openings, hiring and conference talks use failure words ("bets on resilience after last
// year's outage") without reporting a failure: their headline is the signal against.
describe('screening: headlines that announce rather than report', () => {
  it.each([
    'Calder launches digital ID wallet, promising quicker access to public services',
    'Cobalt Cloud opens Nordic region, bets on serverless databases',
    'Veridian Bank to hire 600 technologists for new Larkfield hub',
    'At RelyConf, engineers make the case for breaking things on purpose',
  ])('%s', (headline) => {
    expect(screeningFeatures(doc(headline)).nonReport).toBeGreaterThan(0);
  });
  it.each([
    'Regulator launches an investigation into the payment outage',
    'Minister tells press conference the benefits system failed',
    'Researchers show at Chaos Communication Conference how PS3 security was broken',
    'Faulty update grounds airline for six hours',
  ])('not: %s', (headline) => {
    expect(screeningFeatures(doc(headline)).nonReport).toBe(0);
  });
});
