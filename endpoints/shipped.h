/*
 * shipped: the loop back to customers.  When porchd loads a catalog in
 * which a roadmap item is shipped and the database has no note of it, it
 * queues one mail ("What you asked for shipped in 4.2") to every voter of
 * the item and every customer whose ticket is linked to it, once per
 * address, skipping unsubscribed ones, and notes the item, all in one
 * transaction: a second load finds the note and sends nothing.
 */
#ifndef PORCHD_SHIPPED_H
#define PORCHD_SHIPPED_H

struct app;

/*
 * Runs the check against app's current catalog; loaded says that catalog
 * came from a file (not the empty one porchd starts with).  On the first
 * catalog a database ever sees, shipped items are noted without mail: an
 * item that shipped before porchd was installed must not mail anyone.
 * Returns the number of mails queued, or -1 on a store error (logged; the
 * next load tries again).
 */
long	 shipped_sync(struct app *app, int loaded);

#endif
