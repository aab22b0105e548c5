// Tool output truncation (coding-agent-loop spec §5.1-5.3): characters first (head/tail or tail),
// then lines, with a marker that tells the model what was removed and where the full output is.

/** Per-tool character limits and modes, and line limits (spec §5.2, §5.3). */
export const TOOL_LIMITS: Record<string, { chars: number; mode: 'head_tail' | 'tail'; lines?: number }> = {
  read_file: { chars: 50_000, mode: 'head_tail' },
  shell: { chars: 30_000, mode: 'head_tail', lines: 256 },
  grep: { chars: 20_000, mode: 'tail', lines: 200 },
  glob: { chars: 20_000, mode: 'tail', lines: 500 },
  list_dir: { chars: 20_000, mode: 'tail', lines: 500 },
  edit_file: { chars: 10_000, mode: 'tail' },
  apply_patch: { chars: 10_000, mode: 'tail' },
  write_file: { chars: 1_000, mode: 'tail' },
};

/** Character truncation (spec §5.1). */
export function truncateOutput(output: string, maxChars: number, mode: 'head_tail' | 'tail'): string {
  if (output.length <= maxChars) return output;
  const removed = output.length - maxChars;
  if (mode === 'tail') {
    return `[WARNING: Tool output was truncated. First ${removed} characters were removed. The full output is available in the event stream.]\n\n${output.slice(-maxChars)}`;
  }
  const half = Math.floor(maxChars / 2);
  return (
    output.slice(0, half) +
    `\n\n[WARNING: Tool output was truncated. ${removed} characters were removed from the middle. ` +
    'The full output is available in the event stream. If you need to see specific parts, re-run the tool with more targeted parameters.]\n\n' +
    output.slice(-half)
  );
}

/** Line truncation (spec §5.3), after character truncation. */
export function truncateLines(output: string, maxLines: number): string {
  const lines = output.split('\n');
  if (lines.length <= maxLines) return output;
  const head = Math.floor(maxLines / 2);
  const tail = maxLines - head;
  const omitted = lines.length - head - tail;
  return `${lines.slice(0, head).join('\n')}\n[... ${omitted} lines omitted ...]\n${lines.slice(-tail).join('\n')}`;
}

/** The full pipeline for one tool's output: characters first, then lines. */
export function truncateToolOutput(output: string, tool: string): string {
  const limit = TOOL_LIMITS[tool] ?? { chars: 20_000, mode: 'tail' as const };
  const chars = truncateOutput(output, limit.chars, limit.mode);
  return limit.lines ? truncateLines(chars, limit.lines) : chars;
}
