/*
 * phases: where a build's wall time goes, for PORCH_PHASES=1.
 *
 * phase_end(name) closes the phase that began at the last mark (or at
 * the first call of phase_start); phase_report prints one line, the
 * phases in order with their milliseconds.  Without PORCH_PHASES every
 * call returns at once.  For the main thread only.
 */
#ifndef PORCH_PHASES_H
#define PORCH_PHASES_H

#include <stdio.h>

/* The monotonic clock in milliseconds (also build.c's summary line). */
double	 phase_clock_ms(void);
void	 phase_start(void);
void	 phase_end(const char *name);
void	 phase_report(FILE *);

#endif
