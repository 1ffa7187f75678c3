import { Command } from 'commander';
import { exportCommand, ingestCommand, runCommand, statusCommand } from './commands.ts';
import { evalCommand } from './eval.ts';
import { learnCommand } from './learn.ts';
import { collectCommand } from './collect.ts';
import { reviewCommand } from './review.ts';

const program = new Command('failscope')
  .description('Turns news articles about software failures into structured, cited incident records.')
  .showHelpAfterError();
for (const c of [ingestCommand(), runCommand(), exportCommand(), statusCommand()]) program.addCommand(c);
program.addCommand(evalCommand());
program.addCommand(learnCommand());
program.addCommand(collectCommand());
program.addCommand(reviewCommand());

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`failscope: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
