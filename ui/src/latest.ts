// Guards a view against an out-of-date answer. A search typed, a profile opened, a list sorted:
// each starts a read of the core, and an earlier read can answer after a later one (or after the
// view was closed), when showing it would put back what the manager just moved away from. Each
// read takes a ticket when it starts and, when its answer arrives, shows it only if the ticket is
// still current.

/** One read's ticket, looked at when its answer (or failure) arrives. */
export interface Ticket {
  /** Whether no read was begun, and none dropped, since this ticket was handed out. */
  isCurrent(): boolean;
}

/** The reads of one kind (the jobs, a profile's notes…): only the latest one's answer counts. */
export interface Latest {
  /** Starts a read: the tickets handed out before it stop being current. */
  begin(): Ticket;
  /** Makes the reads under way out of date without starting one (the view they fill was reset). */
  drop(): void;
}

/** A new guard, for the reads of one kind. */
export function latestOnly(): Latest {
  // Only a counter: a ticket remembers the number it was handed out at.
  let latest = 0;
  return {
    begin() {
      latest += 1;
      const mine = latest;
      return { isCurrent: () => mine === latest };
    },
    drop() {
      latest += 1;
    },
  };
}
