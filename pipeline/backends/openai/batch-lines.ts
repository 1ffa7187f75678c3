import { z } from 'zod';
import type { BatchResult } from '../../../schemas/index.ts';

/** The endpoint every request of a failscope batch goes to. */
export const BATCH_ENDPOINT = '/v1/chat/completions';

/** One line of a batch's input file: the request as it would be POSTed, under its cache key. */
export const inputLine = (customId: string, body: unknown) =>
  JSON.stringify({ custom_id: customId, method: 'POST', url: BATCH_ENDPOINT, body });

/** One line of a batch's output or error file (OpenAI's BatchRequestOutput). */
export const OutputLine = z.object({
  id: z.string().nullish(),
  custom_id: z.string(),
  response: z.object({ status_code: z.number().int(), request_id: z.string().nullish(), body: z.unknown() }).nullable(),
  error: z.object({ code: z.string().nullish(), message: z.string().nullish() }).nullable(),
});
export type OutputLine = z.infer<typeof OutputLine>;

/**
 * A finished batch's output or error file as results per request. A line that cannot be read is named
 * (file and line number) and left out: its request then counts as lost and is asked again.
 */
export function readResults(text: string, file: string): { results: BatchResult[]; problems: string[] } {
  const results: BatchResult[] = [],
    problems: string[] = [];
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (e) {
      problems.push(`${file}:${i + 1}: malformed JSON: ${(e as Error).message}`);
      return;
    }
    const line = OutputLine.safeParse(json);
    if (!line.success) {
      problems.push(
        `${file}:${i + 1}: not a batch output line: ${line.error.issues.map((x) => `${x.path.join('.') || '(line)'}: ${x.message}`).join('; ')}`,
      );
      return;
    }
    const { custom_id: customId, response, error } = line.data;
    if (response && response.status_code === 200 && !error)
      results.push({ customId, state: 'answered', statusCode: 200, body: JSON.stringify(response.body) });
    else
      results.push({
        customId,
        state: 'error',
        statusCode: response?.status_code ?? null,
        body: JSON.stringify(response ? response.body : { error }),
      });
  });
  return { results, problems };
}
