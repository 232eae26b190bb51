/**
 * Exit codes of every command (docs/INTERFACES.md): 0 ok, 1 a check or solve missed its
 * tolerance (the output still says what was reached), 2 bad input (the message names the file,
 * the field and what was expected), 130 interrupted by SIGINT (128 + signal 2, the shell's
 * convention). Every command takes its codes from here.
 */
export const EXIT_OK = 0;
export const EXIT_TOLERANCE = 1;
export const EXIT_INPUT = 2;
export const EXIT_INTERRUPTED = 130;
/**
 * A bug: an error that is not the user's (bin/splitscape.js prints its stack trace). 70 is
 * EX_SOFTWARE of sysexits.h, kept apart from 1 so that a script never reads a crash as "a check
 * missed its tolerance".
 */
export const EXIT_INTERNAL = 70;
