// Open flags for files a run writes inside its own directory: O_NOFOLLOW refuses a name that a stage
// replaced with a symbolic link, so no write is ever followed out of the run (issue 10, item 5).
import { constants } from 'node:fs';

/** Create or truncate, never through a link (logs, prompt.md, response.md). */
export const NO_FOLLOW_WRITE = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;

/** Create a new file only (EEXIST when present), never through a link. */
export const NO_FOLLOW_CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Read only, never through a link; O_NONBLOCK so a FIFO under the name never blocks the open (freeze, status.json). */
export const NO_FOLLOW_READ = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
