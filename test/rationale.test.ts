import { describe, expect, it } from 'vitest';
import type { DimensionKey } from '../schemas/index.ts';
import { cpsReason, shownEvidence } from '../pipeline/backends/offline/classify.ts';
import { LEXICONS } from '../pipeline/backends/offline/cues.ts';
import { countCues, readArticle, sentencesOf } from '../pipeline/backends/offline/evidence.ts';
import { taxonomyEvidence } from '../pipeline/backends/offline/features.ts';
import { quotableIn } from '../pipeline/backends/offline/quotable.ts';
import { OfflineBackend } from '../pipeline/backends/offline/index.ts';
import { toArticle } from '../pipeline/ingest/article.ts';

/** Rationales a reviewer can check (issue: "rationales that explain"). All text written for this test. */
describe('offline rationales', () => {
  const NEGATED = 'The company said the outage was not caused by hackers or any cyber-attack.';
  const HEDGED = 'It is not clear whether the problem has affected any other organisations.';
  const text = [
    '"The payment system crashed on Monday after a faulty software update," the bank said.',
    'Customers of Northgate Bank could not pay by card for six hours, and thousands of payments were delayed.',
    NEGATED,
    HEDGED,
    'Engineers rolled back the update and restored the service by the evening.',
  ].join(' ');
  const article = toArticle({
    id: 'r1',
    headline: 'Northgate Bank card payments fail after software update',
    published: '2024-02-05',
    text,
    origin: 'test',
  });

  it('never cite a negated or hedged sentence as support, never double quote marks, and give one number', async () => {
    const labels = await new OfflineBackend().classify({ id: 'i1', articleIds: ['r1'], published: null }, [article]);
    expect(labels.length).toBeGreaterThanOrEqual(13);
    for (const l of labels) {
      for (const c of l.citations) expect([NEGATED, HEDGED]).not.toContain(c.quote);
      expect(l.rationale).not.toContain('not caused by hackers');
      expect(l.rationale).not.toContain('not clear whether');
      expect(l.rationale).not.toMatch(/["“”]{2}/);
      expect(l.rationale).not.toMatch(/\d+%/);
      expect(l.confidence).toBeGreaterThanOrEqual(0);
      expect(l.confidence).toBeLessThanOrEqual(1);
      // An option with no asserted sentence is said to come from the prior, with how strong that prior is.
      if (/comes from the prior/.test(l.rationale))
        expect(l.rationale).toMatch(/comes from the prior \(\d+ of \d+ \S+ incidents have it\)/);
      // How it was decided names whose labels taught it: the reader of a record may have given none.
      expect(l.rationale).toMatch(/Decided by [^()]*(\([^()]*\)[^()]*)*\.$/);
      expect(l.rationale).not.toContain('your labels');
      if (/weighed as/.test(l.rationale)) expect(l.rationale).toContain("weighed as the fail incidents' labels weigh them");
    }
    const quoted = labels.find((l) => l.citations.length > 0)!;
    expect(quoted.rationale).toContain(`[Article r1]`);
  });

  it('show a sentence under the option whose cues it carries most, not as evidence for two rival options', () => {
    const SENSOR = 'A worn sensor, fitted by contractors, gave out in the storm.';
    const PUSHED = 'An engineer had pushed a configuration change the night before.';
    const doc = readArticle(
      toArticle({ id: 'r2', headline: 'Signals fail', published: '2024-02-05', text: `${SENSOR} ${PUSHED}`, origin: 'test' }),
    );
    const ev = taxonomyEvidence([doc]).get('nature')!;
    // Both sentences carry a cue of people at work (contractors, an engineer), so both count as its evidence in the score.
    const human = ev.find((e) => e.key === 'human_actions')!.hits.map((h) => h.sentence.text);
    expect(human).toEqual(expect.arrayContaining([SENSOR, PUSHED]));
    const shown = shownEvidence('nature', ev, ['non-human_actions', 'human_actions'], quotableIn([doc]));
    expect(shown.get('non-human_actions')!.map((h) => h.sentence.text)).toEqual([SENSOR]);
    expect(shown.get('human_actions')!.map((h) => h.sentence.text)).toEqual([PUSHED]);
    // An option with no sentence of its own still shows what it has.
    expect(shownEvidence('nature', ev, ['human_actions'], quotableIn([doc])).get('human_actions')!.length).toBeGreaterThan(0);
  });

  it('show a sentence the article repeats once', () => {
    const PUSHED = 'An engineer had pushed a configuration change the night before.';
    const doc = readArticle(
      toArticle({
        id: 'r3',
        headline: 'Signals fail',
        published: '2024-02-05',
        text: `${PUSHED} Trains stopped.\n\n${PUSHED}`,
        origin: 'test',
      }),
    );
    const ev = taxonomyEvidence([doc]).get('nature')!;
    expect(ev.find((e) => e.key === 'human_actions')!.hits).toHaveLength(2);
    const shown = shownEvidence('nature', ev, ['human_actions'], quotableIn([doc])).get('human_actions')!;
    expect(shown.map((h) => h.sentence.text)).toEqual([PUSHED]);
  });

  it('quote only what speaks for this failure: no background, no failures in general, no earlier failure, no note on the article', () => {
    const USUALLY = 'Like many modern cars, the Aster downloads software to the computer that manages its battery.';
    const GENERAL = 'Hackers have for years demonstrated that battery firmware can hide malicious code.';
    const EARLIER = 'In 2019, a battery fault at a rival carmaker stranded drivers for days.';
    const ARTICLE = 'CNET contacted Halden for comment about the battery and will update the story.';
    const FAILED = 'The battery controller overheated on Friday and the cars shut down.';
    // Each opens its own article, so that only what it says decides whether it is quoted.
    const docs = [USUALLY, GENERAL, EARLIER, ARTICLE].map((first, i) =>
      readArticle(
        toArticle({ id: `r3-${i}`, headline: 'Cars shut down', published: '2024-09-10', text: `${first} ${FAILED}`, origin: 'test' }),
      ),
    );
    const ev = taxonomyEvidence(docs);
    // Each still counts in the score, as any sentence carrying the cues does; it is only never quoted.
    const hardware = ev.get('dimension')!.find((e) => e.key === 'hardware')!;
    expect(new Set(hardware.hits.map((h) => h.sentence.text))).toEqual(new Set([USUALLY, GENERAL, EARLIER, ARTICLE, FAILED]));
    const quotable = quotableIn(docs);
    expect(new Set(hardware.hits.filter((h) => quotable('dimension', 'hardware', h)).map((h) => h.sentence.text))).toEqual(
      new Set([FAILED]),
    );
    // An earlier failure is what a recurrence is: for that dimension it is quoted.
    const before = readArticle(
      toArticle({
        id: 'r3-r',
        headline: 'Cars shut down',
        published: '2024-09-10',
        text: 'In 2019, a similar failure had stranded drivers.',
        origin: 'test',
      }),
    );
    const recurring = taxonomyEvidence([before])
      .get('recurring')!
      .find((e) => e.key === 'one_organization')!;
    expect(recurring.hits.filter((h) => quotableIn([before])('recurring', 'one_organization', h))).toHaveLength(1);
  });

  it('quote a sentence that states the option, from the opening of an article where the option is a cause or a behaviour', () => {
    const LEAD = 'A glitch knocked the ticket machines offline on Monday.';
    const UPDATE = 'Engineers traced the fault to a software update pushed overnight.';
    const RAIL = 'The machines run on the rail network, whose trains kept running.';
    const text = [LEAD, 'Travellers queued at the windows instead.', 'The operator apologised.', UPDATE, RAIL].join(' ');
    const doc = readArticle(toArticle({ id: 'r4', headline: 'Ticket machines fail', published: '2024-03-04', text, origin: 'test' }));
    const ev = taxonomyEvidence([doc]);
    const quotable = quotableIn([doc]);
    const quoted = (dim: DimensionKey, option: string) =>
      ev
        .get(dim)!
        .find((e) => e.key === option)!
        .hits.filter((h) => quotable(dim, option, h))
        .map((h) => h.sentence.text);
    const software = ev.get('dimension')!.find((e) => e.key === 'software')!;
    // The bare glitch and the later update both count for a software fault; neither is quoted as stating it:
    // a glitch does not say it was software, and the update is told after the opening.
    expect(software.hits.map((h) => h.sentence.text)).toEqual(expect.arrayContaining([LEAD, UPDATE]));
    expect(quoted('dimension', 'software')).toEqual([]);
    // What the system is may be quoted from anywhere in the article.
    expect(quoted('domain', 'transportation')).toContain(RAIL);
  });

  it('say why cps is true when the articles make a cyber-physical system less likely than not', () => {
    // cps is decided by expected loss (taxonomy.cpsTrueAt), so "true" can be the less likely answer.
    expect(cpsReason('cps', ['true'], 0.28)).toMatch(
      /^ True although the articles make a cyber-physical system less likely than not: .*IoT dimensions/,
    );
    expect(cpsReason('cps', ['true'], 0.7)).toBe('');
    expect(cpsReason('cps', ['false'], 0.9)).toBe('');
    expect(cpsReason('domain', ['true'], 0.28)).toBe('');
  });

  /** A cue's word in another sense is no evidence; each row's second sentence is the sense the cue is for. */
  const carries = (dim: string, option: string, text: string) => countCues(sentencesOf(text)[0]!, LEXICONS[dim]![option]!) > 0;
  it.each([
    ['intent', 'poor_decisions', 'The fault hit the busiest part of the morning rush.', 'Makers rush their products to market.'],
    ['intent', 'poor_decisions', 'The portal collapsed on deadline day.', 'The team worked to an unrealistic deadline.'],
    ['phase', 'design', 'In a written statement, the commissioner apologised.', 'The bug was in our code, written by a contractor.'],
    ['phase', 'design', 'Shoppers stacked discount codes at checkout.', 'The code assumed that every year has 365 days.'],
    ['phase', 'design', 'Fans followed live text updates on their phones.', 'A faulty update crashed the app.'],
    ['recurring', 'one_organization', 'Check-in was working again by 1:40 p.m.', 'The site went down again on Friday.'],
    ['recurring', 'one_organization', 'The feed repeatedly replayed the same footage.', 'It was the latest in a run of repeated outages.'],
    [
      'boundary',
      'outside_system',
      'The controller has a partner unit that takes over if it fails.',
      'A third-party partner ran the billing system.',
    ],
    ['boundary', 'within_system', 'Staff were told in an internal briefing.', "The pump's internal clock reset to midnight."],
    ['nature', 'human_actions', 'Engineers found that the fault lay with a sensor.', 'An engineer deleted the wrong table.'],
    ['phase', 'operation', 'The operator estimated that 46,000 journeys were disrupted.', 'An operator switched off the backup by hand.'],
    ['behaviour', 'value', 'We are investigating what went wrong.', 'Customers were shown the wrong balances.'],
    ['cps', 'true', 'Our clinicians are well trained to work on paper.', 'Trains were held at red signals.'],
    ['cps', 'true', 'Patients should wait for a phone call.', 'Owners could not unlock their phones.'],
    ['cps', 'true', 'The chief executive said so in a phone interview.', 'The phone rebooted every hour.'],
    ['domain', 'entertainment', "Once the directory is hacked, it's game over.", 'Players could not load the game.'],
    ['domain', 'transportation', 'Port Ashby scored the winning goal.', 'The container port turned cargo ships away.'],
    ['cps', 'false', 'Viewers posted complaints online.', 'Online banking was down for six hours.'],
    ['cps', 'false', 'The company apologised on social media.', 'The social media platform went dark.'],
  ])('%s.%s: not "%s", but "%s"', (dim, option, other, meant) => {
    expect(carries(dim, option, other)).toBe(false);
    expect(carries(dim, option, meant)).toBe(true);
  });
});
