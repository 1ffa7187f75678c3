import PQueue from 'p-queue';
import type { Article } from '../../schemas/index.ts';
import type { Backend, CallContext } from '../backends/backend.ts';
import type { Assignment, Grouper, Question, Verdict } from './cluster.ts';

/** The same-incident call for one pair. */
export type Ask = (articleId: string, question: Question) => Promise<boolean>;

/** Articles kept loaded for the questions: an article is asked about with each of its candidates, and is itself a candidate many times. */
const LOADED = 512;

/** Puts a pair to the backend: the article, the earlier candidate as the incident's one article, and the evidence. */
export function askBackend(backend: Backend, load: (id: string) => Article | undefined, call: (articleId: string) => CallContext): Ask {
  const loaded = new Map<string, Article | undefined>();
  const get = (id: string) => {
    let a = loaded.get(id);
    if (a) loaded.delete(id);
    else if ((a = load(id)) && loaded.size >= LOADED) loaded.delete(loaded.keys().next().value!);
    if (a) loaded.set(id, a);
    return a;
  };
  return async (articleId, q) => {
    const article = get(articleId),
      candidate = get(q.candidate);
    if (!article || !candidate) throw new Error(`article ${article ? q.candidate : articleId} is no longer stored`);
    return (await backend.sameIncident(article, [candidate], q.evidence, call(articleId))).same;
  };
}

/**
 * Groups articles in order while their same-incident questions are asked ahead: when an article is
 * assigned, the questions of the next `ahead` articles are already queued, `concurrency` of them in
 * flight. Each article is still decided in order, from answers that do not depend on earlier decisions,
 * so the incidents are the same whatever the concurrency and whichever answer arrives first.
 */
export class AskAhead {
  private queue: PQueue;
  private position: Map<string, number>;
  private next = 0;
  private answers = new Map<string, Promise<Verdict[]>>();

  constructor(
    private grouper: Grouper,
    private order: readonly string[],
    private ask: Ask,
    private opts: { concurrency: number; ahead: number },
  ) {
    this.queue = new PQueue({ concurrency: opts.concurrency });
    this.position = new Map(order.map((id, i) => [id, i]));
  }

  private start(id: string): void {
    if (this.grouper.incidentOf.has(id)) return;
    const questions = this.grouper.questions(id);
    const verdicts = Promise.all(questions.map((q) => this.queue.add(async () => ({ ...q, same: await this.ask(id, q) }))));
    // Awaited when the article's turn comes; until then a failure must not surface as an unhandled rejection.
    verdicts.catch(() => {});
    this.answers.set(id, verdicts);
  }

  /** Decides the article's incident; articles must come in the order given, each once. */
  async assign(id: string): Promise<Assignment> {
    const at = this.position.get(id);
    if (at === undefined) throw new Error(`article ${id} is not in this grouping pass`);
    while (this.next < this.order.length && this.next <= at + this.opts.ahead) this.start(this.order[this.next++]);
    const verdicts = this.answers.get(id);
    if (!verdicts) throw new Error(`article ${id} is already grouped`);
    this.answers.delete(id);
    return this.grouper.decide(id, await verdicts);
  }
}
