import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { exportCommand, ingestCommand, runCommand, statusCommand } from './commands.ts';
import { evalCommand } from './eval.ts';
import { learnCommand } from './learn.ts';
import { collectCommand } from './collect.ts';
import { reviewCommand } from './review.ts';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** The `failscope` command and its subcommands, built afresh so tests can parse argument lists in-process. */
export function program(): Command {
  const cmd = new Command('failscope')
    .description('Turns news articles about software failures into structured, cited incident records.')
    .version(version, '-V, --version', 'print the version')
    .showHelpAfterError();
  for (const c of [
    ingestCommand(),
    runCommand(),
    exportCommand(),
    statusCommand(),
    evalCommand(),
    learnCommand(),
    collectCommand(),
    reviewCommand(),
  ])
    cmd.addCommand(c);
  return cmd;
}

/** Runs the CLI: a command that fails prints `failscope: <why>` and exits 1. */
export async function main(argv: string[]): Promise<void> {
  // `failscope export | head` closes the pipe early: the reader has all it wanted, so stop quietly, as cat does.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
  try {
    await program().parseAsync(argv);
  } catch (e) {
    process.stderr.write(`failscope: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
