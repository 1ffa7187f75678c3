import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config, PrefilterConfig, type PrefilterDecision, type Screening } from '../schemas/index.ts';
import { readArticle } from '../pipeline/backends/offline/evidence.ts';
import { screeningOdds } from '../pipeline/backends/offline/screen.ts';
import { OfflineBackend } from '../pipeline/backends/offline/index.ts';
import { Store } from '../pipeline/store/store.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../evals/servers/fake-openai.ts';
import { loadGold } from '../evals/gold.ts';
import { evaluate } from '../evals/eval.ts';
import { prefilterScores } from '../evals/prefilter.ts';
import { SPANISH, allFixtures, fixture, tempDir, tempStore } from './fixtures.ts';
import { callContext, testBackend } from './openai-helpers.ts';

let server: FakeOpenAI;
beforeAll(async () => {
  server = await startFakeOpenAI();
});
afterAll(async () => {
  await server.close();
});

const pFailure = (a: ReturnType<typeof allFixtures>[number]) => screeningOdds(readArticle(a)).pFailure;

describe('the offline pre-filter in front of the model', () => {
  it('settles screening below reject as "no" and at or above accept as "yes" without a call, asks the rest, and records every decision', async () => {
    const arts = allFixtures().sort((a, b) => pFailure(a) - pFailure(b));
    const [low, high] = [arts[0], arts.at(-1)!];
    const prefilter = PrefilterConfig.parse({ screen: { reject: (pFailure(low) + pFailure(arts[1])) / 2, accept: pFailure(high) } });
    const { backend } = testBackend(server.url, { prefilter });
    const t = tempStore();
    try {
      const before = server.requests.length;
      const answers: Screening[] = [];
      for (const a of arts) answers.push(await backend.screen(a, callContext(t.store, a.id)));
      const asked = server.requests.slice(before).map((r) => r.articleIds[0]);
      expect(asked).toEqual(arts.slice(1, -1).map((a) => a.id));
      expect(answers[0]).toMatchObject({
        isFailure: false,
        analyzable: false,
        rationale: expect.stringMatching(/^Settled by the offline pre-filter, without a model call: P\(failure report\) [\d.]+ is below/),
      });
      expect(answers.at(-1)).toMatchObject({ isFailure: true, rationale: expect.stringMatching(/is at least/) });
      const decisions = t.store.prefilter.decisions('screen');
      expect(decisions.map((d) => [d.subject, d.settled])).toEqual(arts.map((a, i) => [a.id, i === 0 || i === arts.length - 1]));
      expect(decisions.every((d, i) => d.answer === answers[i].isFailure)).toBe(true);
    } finally {
      t.cleanup();
    }
  });

  it('never settles an article the offline backend cannot read: the model, which can, is asked', async () => {
    const spanish = fixture(allFixtures()[0]!.id as Parameters<typeof fixture>[0], { id: 'es', text: SPANISH });
    // Every readable article would be settled "no" at this reject threshold.
    const prefilter = PrefilterConfig.parse({ screen: { reject: 0.999, accept: 1 } });
    const { backend } = testBackend(server.url, { prefilter });
    const t = tempStore();
    try {
      const before = server.requests.length;
      await backend.screen(spanish, callContext(t.store, spanish.id));
      expect(server.requests.slice(before).map((r) => r.articleIds[0])).toEqual(['es']);
      expect(t.store.prefilter.decisions('screen').map((d) => [d.subject, d.settled])).toEqual([['es', false]]);
    } finally {
      t.cleanup();
    }
  });

  it('settles a same-incident decision the offline backend is sure of, by its margin from the date-aware threshold', async () => {
    const [a, b] = allFixtures();
    const offline = new OfflineBackend();
    const t = tempStore();
    try {
      for (const similarity of [0.05, 0.3, 0.55]) {
        const truth = await offline.sameIncident(a, [b], similarity);
        const sure = testBackend(server.url, {
          prefilter: PrefilterConfig.parse({ sameIncident: { join: 0, apart: 0 } }),
          sameIncident: { accept: 1, reject: 0 },
        }).backend;
        const before = server.requests.length;
        expect((await sure.sameIncident(a, [b], similarity, callContext(t.store, a.id))).same).toBe(truth.same);
        expect(server.requests.length).toBe(before);
        const unsure = testBackend(
          server.url,
          { prefilter: PrefilterConfig.parse({ sameIncident: { join: null, apart: null } }), sameIncident: { accept: 1, reject: 0 } },
          { cache: false },
        ).backend;
        await unsure.sameIncident(a, [b], similarity, callContext(t.store, a.id));
        expect(server.requests.length).toBe(before + 1);
      }
    } finally {
      t.cleanup();
    }
  });

  it('settles no same-incident decision about an article in another language: the model is asked', async () => {
    const [a] = allFixtures();
    const spanish = fixture(a.id as Parameters<typeof fixture>[0], { id: 'es', text: SPANISH });
    const sure = testBackend(server.url, {
      prefilter: PrefilterConfig.parse({ sameIncident: { join: 0, apart: 0 } }),
      sameIncident: { accept: 1, reject: 0 },
    }).backend;
    const t = tempStore();
    try {
      for (const [article, members] of [
        [spanish, [a]],
        [a, [spanish]],
      ] as const) {
        const before = server.requests.length;
        await sure.sameIncident(article, [...members], 0.05, callContext(t.store, article.id));
        expect(server.requests.length).toBe(before + 1);
      }
    } finally {
      t.cleanup();
    }
  });

  it('makes the thresholds part of the screen and group prompt hashes (a change re-runs those jobs), and refuses reject ≥ accept', () => {
    const hash = (prefilter: unknown) => testBackend(server.url, { prefilter: prefilter as PrefilterConfig }).backend;
    const base = hash(PrefilterConfig.parse({}));
    const other = hash(PrefilterConfig.parse({ screen: { reject: 0.1 } }));
    expect(other.promptHash('screen')).not.toBe(base.promptHash('screen'));
    expect(other.promptHash('extract')).toBe(base.promptHash('extract'));
    expect(hash(PrefilterConfig.parse({ sameIncident: { join: 0.3 } })).promptHash('group')).not.toBe(base.promptHash('group'));
    expect(() => Config.parse({ openai: { prefilter: { screen: { reject: 0.6, accept: 0.5 } } } })).toThrow(/reject must be below accept/);
  });

  it('scores decisions against the gold: calls saved, recall lost, and settled joins the gold keeps apart', async () => {
    const d = tempDir('failscope-prefilter-gold-');
    try {
      const article = (id: string, isFailure: boolean, incidentId: string | null) =>
        JSON.stringify({ id, headline: id, text: `${id} text`, gold: { isFailure, incidentId } });
      writeFileSync(
        join(d.dir, 'articles.jsonl'),
        [article('a', true, 'i1'), article('b', true, 'i1'), article('c', false, null), article('d', true, 'i2')].join('\n'),
      );
      const gold = await loadGold(d.dir);
      const dec = (
        stage: 'screen' | 'group',
        subject: string,
        settled: boolean,
        answer: boolean,
        against: string[] = [],
      ): PrefilterDecision => ({ runId: 'r', stage, subject, against, settled, answer, score: 0.5 });
      const s = prefilterScores(
        gold,
        [dec('screen', 'a', true, true), dec('screen', 'b', false, true), dec('screen', 'c', true, false), dec('screen', 'd', true, false)],
        [dec('group', 'b', true, false, ['a']), dec('group', 'd', true, true, ['a', 'b']), dec('group', 'd', false, false, ['c'])],
      );
      expect(s.screen).toEqual({
        decisions: 4,
        settledNo: 2,
        settledYes: 1,
        callsSaved: 0.75,
        goldFailures: 3,
        lost: 1,
        recallLost: 1 / 3,
        wrongYes: 0,
      });
      expect(s.group).toEqual({ decisions: 3, settled: 2, callsSaved: 2 / 3, goldSame: 1, lost: 1, recallLost: 1, wrongJoins: 1 });
    } finally {
      d.cleanup();
    }
  });

  it('eval reports the calls it saved and the recall it lost', async () => {
    const d = tempDir('failscope-prefilter-eval-');
    try {
      // The fixtures as a small gold set: failure reports by incident, the rest not failures.
      const incidentOf: Record<string, string | null> = {
        bank1: 'i-bank1',
        bank1FollowUp: 'i-bank1',
        bank2: 'i-bank2',
        car: 'i-car',
        breach: 'i-breach',
        launch: null,
        funding: null,
        conference: null,
      };
      writeFileSync(
        join(d.dir, 'articles.jsonl'),
        allFixtures()
          .map((a) =>
            JSON.stringify({
              id: a.id,
              headline: a.headline,
              published: a.published,
              source: a.source,
              text: a.text,
              gold: { isFailure: incidentOf[a.id] !== null, incidentId: incidentOf[a.id] },
            }),
          )
          .join('\n'),
      );
      const gold = await loadGold(d.dir);
      const { backend } = testBackend(server.url, { prefilter: PrefilterConfig.parse({}) });
      const store = new Store(join(d.dir, 'out', 'pipeline.db'));
      try {
        const { scorecard } = await evaluate(gold, join(d.dir, 'out'), {
          store,
          goldDb: join(d.dir, 'out', 'gold.db'),
          backend,
          settings: { backend: 'openai', model: backend.model, concurrency: 2, cache: true },
        });
        const p = scorecard.prefilter!;
        expect(p.screen!.decisions).toBe(8);
        expect(p.screen!.settledNo + p.screen!.settledYes).toBeGreaterThan(0);
        expect(p.screen!.recallLost).toBe(0);
        expect(p.group!.decisions).toBeGreaterThan(0);
        const summary = readFileSync(join(d.dir, 'out', 'summary.md'), 'utf8');
        expect(summary).toMatch(/screening calls saved by the offline pre-filter \(recall lost\) \| \d+\.\d% \(0\.000\)/);
        expect(summary).toContain('## Pre-filter');
      } finally {
        store.close();
      }
    } finally {
      d.cleanup();
    }
  });
});
