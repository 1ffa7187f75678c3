import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Article } from '../schemas/index.ts';
import { toArticle } from '../pipeline/ingest/article.ts';
import { Store } from '../pipeline/store/store.ts';
import { type ArticleDoc, readArticle } from '../pipeline/backends/offline/evidence.ts';

/** The reference and benchmarks sit beside the repository (../shared): read at run time, never copied in. */
export const SHARED = join(import.meta.dirname, '..', '..', 'shared');

/**
 * Small news-style articles written for these tests (every company, person and event is invented).
 * Two incidents at the same bank a year apart, a follow-up of the first, a cyber-physical recall, a
 * breach, and non-failure stories that mention software.
 */
export const RAW = {
  bank1: {
    headline: 'Harbourline Bank app outage leaves customers unable to pay',
    published: '2023-03-06',
    source: 'Coastal Herald',
    text: `Customers of Harbourline Bank were unable to log in to its mobile app or make card payments for most of Monday after a software update went wrong.

The outage began at about 7 a.m. and lasted for nearly nine hours, the bank said. Thousands of customers reported that the app crashed as soon as it opened, and some card payments at shops were declined.

Harbourline said the problem was caused by a bug in an update to its login service that was released overnight. "We are sorry for the disruption and we have rolled back the update," a spokesperson said.

Engineers restored the service by Monday evening. The bank said no customer data was lost and that anyone charged fees because of the outage would get a refund.`,
  },
  bank1FollowUp: {
    headline: 'Harbourline Bank blames untested login update for Monday app outage',
    published: '2023-03-08',
    source: 'Northgate Business Daily',
    text: `Harbourline Bank has admitted that the login update which crashed its mobile app on Monday had not been fully tested before it was released.

In a letter to customers, chief executive Mira Castell said the update contained a coding error that made the app crash for anyone with a saved password. The faulty update was rolled back after nine hours.

The bank said it would refund fees to customers whose card payments failed during the outage, and that it had changed its release process so every update is tested on older phones first.

The regulator said it was asking Harbourline for a full report on the app outage.`,
  },
  bank2: {
    headline: 'Harbourline Bank app outage hits customers again as data centre loses power',
    published: '2024-03-12',
    source: 'Coastal Herald',
    text: `Harbourline Bank customers were locked out of online banking on Tuesday after a power cut at one of the bank's data centres took its systems offline.

A storm damaged the power supply to the data centre and a backup generator failed to start, the bank said. Mobile and web banking were unavailable for about four hours while engineers moved services to a second site.

The bank said the outage was not the result of a cyber attack and that no customer data was affected.`,
  },
  car: {
    headline: 'Velto recalls 40,000 electric cars over braking software glitch',
    published: '2022-09-14',
    source: 'Motor Wire',
    text: `Velto is recalling 40,000 electric cars because a glitch in the braking software can make the brakes respond late when a wheel speed sensor gives a wrong reading.

The carmaker said the fault was in the firmware of the vehicle's braking controller. Drivers reported that the cars took longer to stop on wet roads, and two minor crashes have been linked to the problem.

Velto said it would fix the software with an over-the-air update, and that owners could also have the update installed at a dealer. No one was injured in the crashes, the company said.

Regulators said the recall covers cars built between January and June.`,
  },
  breach: {
    headline: 'Hackers steal patient records in Linden Health data breach',
    published: '2021-11-02',
    source: 'Civic Times',
    text: `Hackers stole the personal data of 120,000 patients after breaking into a server at Linden Health, the hospital group said on Tuesday.

The attackers got in through a remote access system that was still using a default password, investigators said. Names, addresses and medical records were exposed.

Linden Health said it had reported the data breach to the police and the data protection authority, and that it would write to every patient affected.

Security experts said the attack could have been prevented by basic security measures.`,
  },
  launch: {
    headline: 'Quillsoft unveils new note-taking app for students',
    published: '2023-05-02',
    source: 'Tech Ledger',
    text: `Quillsoft unveiled a new note-taking app for students on Tuesday, with handwriting recognition and shared class notebooks.

The app works on phones, tablets and laptops, and syncs notes through the company's cloud service. A free version will be available to schools from September.

Quillsoft's founder said the company had spent two years designing the software with teachers. The app will also support offline mode for classrooms with poor internet.`,
  },
  funding: {
    headline: 'Farmtech start-up Rootgrid raises $12m to expand its irrigation software',
    published: '2023-06-20',
    source: 'Northgate Business Daily',
    text: `Rootgrid, which makes software that helps farmers schedule irrigation, has raised $12m in a funding round led by Meadow Ventures.

The company said its platform is used on 3,000 farms and that the money will pay for new engineers and an expansion into three more countries.

Rootgrid's software combines weather forecasts with soil data to tell farmers when to water their crops. Its chief executive said demand had grown quickly over the last year.`,
  },
  conference: {
    headline: 'City council hosts coding week for secondary school pupils',
    published: '2023-07-11',
    source: 'Civic Times',
    text: `More than 400 pupils took part in a coding week organised by the city council, building websites and simple games with volunteer developers.

The council said the programme would run again next year and would add a course on building mobile apps.

Teachers said the pupils enjoyed learning to write code and that several schools now plan to start computer clubs.`,
  },
} satisfies Record<string, { headline: string; published: string; source: string; text: string }>;

export type FixtureKey = keyof typeof RAW;

/** Written for the tests: the Harbourline outage told in Spanish, an article the offline backend cannot read. */
export const SPANISH = `Los clientes de Harbourline Bank no pudieron entrar en la aplicación móvil durante casi nueve horas el lunes.
El banco dijo que el fallo se debió a un error en una actualización de su servicio de acceso, que ya ha sido retirada.
Los ingenieros restablecieron el servicio por la tarde y el banco devolverá las comisiones cobradas por los pagos rechazados.`;

export function fixture(
  key: FixtureKey,
  overrides: Partial<{ id: string; text: string; headline: string; published: string }> = {},
): Article {
  const r = RAW[key];
  return toArticle({
    id: overrides.id ?? key,
    url: `https://example.test/${key}`,
    headline: overrides.headline ?? r.headline,
    source: r.source,
    published: overrides.published ?? r.published,
    text: overrides.text ?? r.text,
    origin: `fixture:${key}`,
  });
}

export const allFixtures = (): Article[] => (Object.keys(RAW) as FixtureKey[]).map((k) => fixture(k));

/** Every fixture, written as an input file for `failscope run`. */
export function writeFixturesJsonl(file: string): string {
  writeFileSync(
    file,
    allFixtures()
      .map((a) => JSON.stringify({ id: a.id, headline: a.headline, source: a.source, published: a.published, text: a.text }))
      .join('\n'),
  );
  return file;
}

/** A temp directory removed by the returned cleanup. */
export function tempDir(prefix = 'failscope-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A store in a fresh temp directory. */
export function tempStore(): { store: Store; dir: string; cleanup(): void } {
  const t = tempDir();
  const store = new Store(join(t.dir, 'test.db'));
  return {
    store,
    dir: t.dir,
    cleanup: () => {
      try {
        store.close();
      } catch {
        /* already closed */
      }
      t.cleanup();
    },
  };
}

/** An article of `text` as the offline backend reads it, for tests of what it finds in a story. */
export const storyDoc = (id: string, text: string): ArticleDoc => readArticle(fixture('bank1', { id, text }));
