import { resolve } from 'node:path';
import { Command } from 'commander';
import { EXIT, requireOut, writeOut } from './common.ts';
import { loadModel } from '../backends/offline/learned.ts';
import { learnModel } from '../learn/learn.ts';

interface LearnFlags {
  gold: string[];
  base?: string[];
  out: string;
  from?: string;
  json?: boolean;
}

export function learnCommand(): Command {
  return new Command('learn')
    .description("fit the offline backend to labelled folders (gold records, a review export, FAIL's dev split) and write a model file")
    .option('--gold <dirs...>', 'labelled folders whose conventions to follow (benchmark format)', [] as string[])
    .option('--base <dirs...>', "corpus folders to learn the cue weights from (default: the project's data/train)")
    .option('--from <file>', 'a model whose corpus part to reuse when its corpus is unchanged (default: the shipped model)')
    .option('--out <file>', 'where to write the model', 'failscope.model.json')
    .option('--json', 'print the cross-validated figures as JSON')
    .action(async (opts: LearnFlags) => {
      requireOut(opts.out, 'file');
      const log = (line: string) => process.stderr.write(`${line}\n`);
      let skipped = 0;
      const model = await learnModel({
        target: opts.gold,
        base: opts.base,
        from: loadModel(opts.from),
        log,
        onProblem: (origin, reason) => {
          skipped++;
          process.stderr.write(`skipped ${origin}: ${reason}\n`);
        },
      });
      const trained = model.adaptation?.trained;
      // A model "fitted" to nothing would be the corpus model under another name: say so rather than write it.
      if (trained && trained.articles + trained.incidents === 0)
        throw new Error(`nothing to learn from: no labelled article or incident could be read from ${opts.gold.join(', ')}`);
      const out = resolve(opts.out);
      writeOut(out, `${JSON.stringify(model, null, 1)}\n`);
      const cv = model.adaptation?.crossValidation ?? model.crossValidation;
      if (opts.json) process.stdout.write(`${JSON.stringify({ out, crossValidation: cv })}\n`);
      else
        process.stdout.write(
          `wrote ${out}\nuse it with --model-file ${opts.out}, or "offline": { "modelFile": "${opts.out}" } in failscope.config.json\n`,
        );
      process.exitCode = skipped ? EXIT.partial : EXIT.ok;
    });
}
