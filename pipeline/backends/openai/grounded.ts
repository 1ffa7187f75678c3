import type { Citation } from '../../../schemas/index.ts';
import type { CallContext } from '../backend.ts';
import type { Passage } from './articles.ts';
import type { CallSpec, ChatModel, Message } from './chat.ts';
import { type Placed, evidenceIn, placeEvidence, quoteReask } from './quotes.ts';
import { ModelAnswerError, askStructured } from './reask.ts';
import type { Evidence } from './schemas.ts';

export interface Grounded<T> {
  value: T;
  /** The verified citation of an evidence item of `value`, or null when it could not be placed. */
  citationOf(ev: Evidence): Citation | null;
  stats: { proposed: number; unplaced: number; reasked: boolean; dropped: number };
}

function placeAll(value: unknown, passages: readonly Passage[]) {
  const items = evidenceIn(value);
  const placed = new Map<Evidence, Placed>(items.map(({ ev }) => [ev, placeEvidence(ev, passages)]));
  const failed = items.filter(({ ev }) => placed.get(ev)!.problem !== null).map((x) => ({ ...x, problem: placed.get(x.ev)!.problem! }));
  return { items, placed, failed };
}

/**
 * Asks for an answer backed by quotes, then checks every quote against the articles. If some cannot
 * be placed, or `unsupported` names items with no quote at all, the model is asked once more,
 * naming each of them. Whatever still cannot be placed after that is dropped: it is never returned
 * as a citation, and the count is stored. A re-ask that itself fails leaves the first answer in force.
 */
export async function askGrounded<T>(
  chat: ChatModel,
  messages: readonly Message[],
  spec: CallSpec<T>,
  passages: readonly Passage[],
  ctx: CallContext,
  opts: { maxReasks: number; unsupported: (value: T, verified: (ev: Evidence) => boolean) => string[] },
): Promise<Grounded<T>> {
  const first = await askStructured(chat, messages, spec, ctx, opts.maxReasks);
  let check = placeAll(first.value, passages);
  let value = first.value;
  const proposed = check.items.length,
    unplaced = check.failed.length;
  const verified = (c: typeof check) => (ev: Evidence) => c.placed.get(ev)?.problem === null;
  const lacking = opts.unsupported(first.value, verified(check));
  let reasked = false;
  if (check.failed.length || lacking.length) {
    reasked = true;
    try {
      const again = await askStructured(
        chat,
        [...first.conversation, { role: 'user', content: quoteReask(check.failed, lacking) }],
        spec,
        ctx,
        opts.maxReasks,
      );
      value = again.value;
      check = placeAll(again.value, passages);
    } catch (e) {
      if (!(e instanceof ModelAnswerError)) throw e;
    }
  }
  const final = check;
  return {
    value,
    citationOf: (ev) => {
      const p = final.placed.get(ev);
      return p && p.problem === null ? p.citation : null;
    },
    stats: { proposed, unplaced, reasked, dropped: final.failed.length },
  };
}
