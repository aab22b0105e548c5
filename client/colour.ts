// Colour for people at a terminal only: on when stdout is a TTY, off with NO_COLOR (any non-empty value,
// https://no-color.org), TERM=dumb or a pipe; FORCE_COLOR (non-empty, not "0") turns it on anyway.
import type { CliIO } from './context';

/** Wraps text in one colour, or returns it unchanged when colour is off. */
export type Paint = (text: string) => string;

/** The colours the CLI uses, by meaning. */
export interface Palette {
  enabled: boolean;
  good: Paint;
  bad: Paint;
  waiting: Paint;
  dim: Paint;
  bold: Paint;
}

const sgr = (open: number, close: number): Paint => (text) => `\x1b[${open}m${text}\x1b[${close}m`;
const plain: Paint = (text) => text;

/** Whether this invocation's output may carry colour. */
export function colourEnabled(io: Pick<CliIO, 'env' | 'tty'>): boolean {
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0') return true;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.TERM === 'dumb') return false;
  return io.tty !== undefined;
}

/** The palette for this invocation (every paint is the identity when colour is off). */
export function palette(io: Pick<CliIO, 'env' | 'tty'>): Palette {
  if (!colourEnabled(io)) return { enabled: false, good: plain, bad: plain, waiting: plain, dim: plain, bold: plain };
  return { enabled: true, good: sgr(32, 39), bad: sgr(31, 39), waiting: sgr(33, 39), dim: sgr(2, 22), bold: sgr(1, 22) };
}

/** A run status or outcome in its colour: ended well green, ended badly red, waiting for a person yellow, stopped dim. */
export function paintOutcome(p: Palette, outcome: string, text: string = outcome): string {
  if (['approved', 'succeeded', 'completed'].includes(outcome)) return p.good(text);
  if (['failed', 'rejected', 'timed_out'].includes(outcome)) return p.bad(text);
  if (outcome === 'awaiting_human' || outcome === 'evaluating') return p.waiting(text);
  if (outcome === 'cancelled' || outcome === 'terminated') return p.dim(text);
  return text;
}
