// The exit codes scripts can trust: 0 success, 1 verification failed (or findings), 2 bad usage or
// unreadable input. Their own module so commands need not import the program that loads them.

/** Success: verified, signed, clean. */
export const EXIT_OK = 0;
/** Verification failed, a policy denied, a scan found something. */
export const EXIT_VERIFY_FAILED = 1;
/** Bad usage or unreadable input. */
export const EXIT_USAGE = 2;
