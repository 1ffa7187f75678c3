import { describe, expect, it } from 'vitest';
import { toArticle } from '../pipeline/ingest/article.ts';
import { readArticle } from '../pipeline/backends/offline/evidence.ts';
import { datedFacts } from '../pipeline/backends/offline/timeline.ts';

const doc = (published: string | null, text: string, id = 'a1') =>
  readArticle(toArticle({ id, headline: 'Bank outage', published, text, origin: 'test' }));

const dates = (published: string | null, text: string) => datedFacts([doc(published, text)]).map((f) => f.text.split(' (')[0]);

describe('timeline dates worked out from the article date', () => {
  it('goes back to the last such weekday, or stays on the day itself', () => {
    // 2023-03-08 is a Wednesday.
    expect(dates('2023-03-08', 'The bank app crashed on Monday, leaving customers unable to pay.')).toEqual(['March 6, 2023']);
    expect(dates('2023-03-08', 'The bank app crashed on Wednesday morning.')).toEqual(['March 8, 2023']);
    expect(dates('2023-03-08', 'The outage began Thursday night and lasted hours.')).toEqual(['March 2, 2023']);
  });

  it('reads yesterday and today, and a month and day without a year as the latest one before publication', () => {
    expect(dates('2024-01-01', 'The system crashed yesterday.')).toEqual(['December 31, 2023']);
    expect(dates('2024-01-10', 'A software glitch hit the airline today.')).toEqual(['January 10, 2024']);
    expect(dates('2024-02-10', 'The outage of December 28 left shops unable to take cards.')).toEqual(['December 28, 2023']);
    expect(dates('2024-02-10', 'The outage on March 3, 2019 was the first.')).toEqual(['March 3, 2019']);
  });

  it('cites the sentence it read, says how the date was worked out, and needs a reported failure', () => {
    const [fact] = datedFacts([doc('2023-03-08', 'Shares rose on Monday.\n\nThe payment system failed on Tuesday, the bank said.')]);
    expect(fact!.text).toBe('March 7, 2023 (worked out from "on Tuesday" in an article published on March 8, 2023)');
    expect(fact!.citations[0]!.quote).toBe('The payment system failed on Tuesday, the bank said.');
    // No failure, a denied one, or no article date: nothing to date.
    expect(dates('2023-03-08', 'The minister spoke on Monday about digital services.')).toEqual([]);
    expect(dates('2023-03-08', 'There was no outage on Monday, the bank insisted.')).toEqual([]);
    expect(dates(null, 'The bank app crashed on Monday.')).toEqual([]);
  });

  it('gives each date once across articles, earliest first', () => {
    const facts = datedFacts([
      doc('2023-03-09', "The app was still down on Thursday after Monday's crash.", 'b'),
      doc('2023-03-06', 'The bank app crashed on Monday.', 'a'),
      doc('2023-03-07', 'The crash on Monday hit thousands.', 'c'),
    ]);
    expect(facts.map((f) => f.text.split(' (')[0])).toEqual(['March 6, 2023', 'March 9, 2023']);
  });

  it('works out a month or a year when the article gives no day, and ignores one long before the article', () => {
    expect(dates('2011-01-07', "In December, hackers broke the console's security system.")).toEqual(['December 2010']);
    expect(dates('2018-11-14', 'The plane crashed last month after its software failed.')).toEqual(['October 2018']);
    expect(dates('2020-10-06', 'The app was hacked in May 2020, researchers said.')).toEqual(['May 2020']);
    expect(dates('2016-03-01', 'The breach began in 2015 and exposed millions of records.')).toEqual(['2015']);
    // "may" the verb is no month; a failure recalled from years back dates another incident.
    expect(dates('2020-10-06', 'The outage may 2 weeks ago have hit users.')).toEqual(['Reported on October 6, 2020']);
    expect(dates('2010-12-10', 'In 2007, a marketer was caught serving malware through an ad.')).toEqual(['Reported on December 10, 2010']);
  });

  it('reads no deadline as the date of the failure ("by September"), but the other dates of its sentence', () => {
    expect(dates('2021-06-15', 'The bank app crashed on Monday, and the bank will require new logins by September.')).toEqual([
      'June 14, 2021',
    ]);
    expect(dates('2021-06-15', 'The bank app crashed, and the bank will require new logins by September.')).toEqual([
      'Reported on June 15, 2021',
    ]);
  });

  it('says when a failure was reported when the article dates it nowhere, citing its first sentence about it', () => {
    const [fact] = datedFacts([
      doc('2015-01-08', 'Shares rose.\n\nSeveral major websites displayed malware-laced ads that infected computers.'),
    ]);
    expect(fact!.text).toBe('Reported on January 8, 2015 (the day the article was published)');
    expect(fact!.citations[0]!.quote).toBe('Several major websites displayed malware-laced ads that infected computers.');
  });
});
