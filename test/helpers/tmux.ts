// A real terminal for tests: a detached tmux session on a private socket, driven with send-keys and
// read with capture-pane. Each session gets its own socket so parallel test files never meet.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { eventually } from './runs';

/** One tmux pane running one command. */
export interface TmuxPane {
  /** send-keys: literal text or key names (Down, Enter, C-c). */
  keys(...keys: string[]): Promise<void>;
  /** The pane as text (capture-pane, joined wrapped lines). */
  screen(): Promise<string>;
  /** Waits until the screen matches; the failure message shows the last screen. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Kills the session and its tmux server. */
  close(): Promise<void>;
}

function tmux(socket: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('tmux', ['-L', socket, ...args], { encoding: 'utf8' }, (err, stdout, stderr) => (err ? reject(new Error(`tmux ${args[0]}: ${stderr || err.message}`)) : resolve(stdout)));
  });
}

/** Starts `command` (a shell line) in a new 160x50 pane with exactly `env` (plus PATH, HOME, TERM). */
export async function openPane(command: string, env: Record<string, string>): Promise<TmuxPane> {
  const socket = `factory-test-${randomUUID().slice(0, 8)}`;
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', TERM: 'xterm-256color', LANG: 'C.UTF-8' };
  const exports = Object.entries({ ...base, ...env }).map(([k, v]) => `${k}=${shellQuote(v)}`);
  // the pane outlives the command so its last screen (and EXIT=<code>) can be read; the shell survives
  // Ctrl-C (a trap with a command is reset to the default in the child, which gets the SIGINT itself)
  const script = `trap 'true' INT; ${command}; echo EXIT=$?; sleep 600`;
  await tmux(socket, ['-f', '/dev/null', 'new-session', '-d', '-x', '160', '-y', '50', '-s', 'test', `env -i ${exports.join(' ')} sh -c ${shellQuote(script)}`]);
  const screen = () => tmux(socket, ['capture-pane', '-p', '-J', '-t', 'test']);
  return {
    keys: async (...keys) => void (await tmux(socket, ['send-keys', '-t', 'test', ...keys])),
    screen,
    waitFor: async (pattern, timeoutMs = 30_000) => {
      let last = '';
      try {
        return await eventually(async () => {
          last = await screen();
          return pattern.test(last) ? last : undefined;
        }, timeoutMs, 150);
      } catch {
        throw new Error(`the terminal never showed ${String(pattern)}; last screen:\n${last}`);
      }
    },
    close: () => tmux(socket, ['kill-server']).then(() => undefined, () => undefined),
  };
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
