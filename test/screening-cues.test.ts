import { describe, expect, it } from 'vitest';
import { readArticle, readable } from '../pipeline/backends/offline/evidence.ts';
import { screeningFeatures } from '../pipeline/backends/offline/features.ts';
import { screenDoc } from '../pipeline/backends/offline/screen.ts';
import { FAILURE, SOFTWARE_STRICT } from '../pipeline/backends/offline/cues.ts';
import { type FixtureKey, RAW, SPANISH, fixture } from './fixtures.ts';

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

describe('screening: a hack that is a tip', () => {
  const hit = (text: string) => [FAILURE, SOFTWARE_STRICT].map((list) => list.some((c) => c.re.test(text)));
  // A beauty column's "hair hacks" passed as a software failure: both the failure and the software words matched.
  it.each([
    'Rice water hair hacks',
    'weird skin care hacks and beauty tips',
    'the most unexpected beauty hack of the year',
    'ten life-hacks for a tidier desk',
  ])('%s', (text) => {
    expect(hit(text)).toEqual([false, false]);
  });
  it.each(['Hackers broke into the console network', 'the PS3 hack affects the core of the encryption system', 'the account was hacked'])(
    'not: %s',
    (text) => {
      expect(hit(text)).toEqual([true, true]);
    },
  );
});

describe('screening: a failure told in plain words', () => {
  // A story of our own that was screened out (P 0.24): "stopped accepting cards" was no failure cue.
  const story = readArticle(
    fixture(Object.keys(RAW)[0] as FixtureKey, {
      id: 'tram',
      headline: 'Tramline ticket machines fail across the city',
      text:
        'Ticket machines on the Harrowgate tramline stopped accepting cards on Tuesday morning after a software update pushed overnight by the supplier, Ticketra, corrupted their payment module, the operator said.\n\n' +
        'About 40,000 passengers were unable to buy tickets during the morning rush, and inspectors were told not to issue fines. Harrowgate Trams said the update was rolled back by 11 a.m. and all machines were working again by noon.\n\n' +
        'Ticketra said it would add a staged rollout so that future updates reach a few machines first.',
    }),
  );
  it('reads "stopped accepting" as a failure, and the story as a failure report', () => {
    const failing = (text: string) => FAILURE.some((c) => c.re.test(text));
    expect(['stopped accepting cards', 'the app stopped loading', 'stopped processing payments'].map(failing)).toEqual([true, true, true]);
    expect(screeningFeatures(story).softwareFailures).toBeGreaterThan(0);
    expect(screenDoc(story).isFailure).toBe(true);
  });
});

describe('screening: articles the offline backend cannot read', () => {
  const key = Object.keys(RAW)[0] as FixtureKey;
  it('passes an article in another language on as a possible failure, saying why, instead of judging it by English cues', () => {
    const doc = readArticle(
      fixture(key, { id: 'es', text: SPANISH, headline: 'Un fallo deja sin servicio la aplicación de Harbourline Bank' }),
    );
    expect(readable(doc)).toBe(false);
    expect(screenDoc(doc)).toEqual({
      isFailure: true,
      analyzable: true,
      confidence: 0.5,
      rationale: expect.stringMatching(/^Not in English: the offline screen reads English cues only/),
    });
  });
  it('reads an English article, and judges it by its signals', () => {
    const doc = readArticle(fixture(key));
    expect(readable(doc)).toBe(true);
    expect(screenDoc(doc).rationale).toMatch(/^P\(failure report\)/);
  });
  it('judges a text too short to show its language by its signals, and screens a word or two out', () => {
    for (const text of ['hello', 'Outage update', 'Kubernetes Terraform Grafana Prometheus']) {
      const doc = readArticle(fixture(key, { id: 'short', text, headline: text }));
      expect(readable(doc)).toBe(true);
      expect(screenDoc(doc).isFailure).toBe(false);
    }
  });
});
