// Typed change events of the registry and its workspaces: what changed, told by the code that
// changed it, so a listener (the daemon's state persistence) never has to infer it from HTTP
// traffic. One channel per registry (`registry.events`), shared by its workspaces.
//
// Structural changes (created, deleted, sessions, committed, checked_out) are emitted with
// `await events.emit(...)`: the operation finishes only after every listener, async ones
// included, has settled, so what they write is done before the caller answers. The few that
// happen inside synchronous methods (session create, session restore) are `post`ed; their
// callers await `settled()` before answering. `executed` is posted and not awaited: listeners
// of it are expected to batch (e.g. a debounced save).

/** A workspace was registered: a plain create, a clone, a load, or a restore at start. */
export interface WorkspaceCreatedEvent {
  type: 'created';
  workspaceId: string;
}

/** A workspace was removed from the registry (not emitted when the daemon shuts down). */
export interface WorkspaceDeletedEvent {
  type: 'deleted';
  workspaceId: string;
}

/** Sessions were created, deleted (the default one: reset) or restored from saved state. */
export type SessionsChangedEvent =
  | {
      type: 'sessions';
      change: 'created';
      workspaceId: string;
      sessionId: string;
      /** The mount-mode ceilings as the create request gave them (`{"/data": "read"}`), or null. */
      mounts: Record<string, string> | null;
    }
  | { type: 'sessions'; change: 'deleted'; workspaceId: string; sessionId: string }
  | { type: 'sessions'; change: 'restored'; workspaceId: string; sessionIds: string[] };

/** A command finished (in the foreground or as a background job): cwd and env may have changed. */
export interface ExecutedEvent {
  type: 'executed';
  workspaceId: string;
  sessionId: string;
}

/** A version of the workspace was committed on `branch`. */
export interface CommittedEvent {
  type: 'committed';
  workspaceId: string;
  branch: string;
  version: string;
}

/** The workspace's files and sessions were replaced by those of version `ref`. */
export interface CheckedOutEvent {
  type: 'checked_out';
  workspaceId: string;
  ref: string;
}

export type WorkspaceEvent =
  WorkspaceCreatedEvent | WorkspaceDeletedEvent | SessionsChangedEvent | ExecutedEvent | CommittedEvent | CheckedOutEvent;
export type WorkspaceEventType = WorkspaceEvent['type'];
export type WorkspaceEventOf<T extends WorkspaceEventType> = Extract<WorkspaceEvent, { type: T }>;
export type WorkspaceEventListener<T extends WorkspaceEventType> = (event: WorkspaceEventOf<T>) => void | Promise<void>;

/** Where a listener's failure goes: it never fails the operation that emitted the event. */
export type ListenerErrorHandler = (error: unknown, event: WorkspaceEvent) => void;

const warnListenerError: ListenerErrorHandler = (error, event) => {
  const reason = error instanceof Error ? error.message : String(error);
  process.emitWarning(`a listener of the workspace event '${event.type}' failed: ${reason}`, 'MirageEventListenerWarning');
};

export class WorkspaceEvents {
  private readonly listeners = new Map<WorkspaceEventType, Set<(event: WorkspaceEvent) => void | Promise<void>>>();
  /** Posted events whose listeners have not settled yet. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly onListenerError: ListenerErrorHandler = warnListenerError) {}

  /** Adds a listener for one event type; the returned function removes it again. */
  on<T extends WorkspaceEventType>(type: T, listener: WorkspaceEventListener<T>): () => void {
    // Stored under its own type only, so it is only ever called with events of that type.
    const stored = listener as (event: WorkspaceEvent) => void | Promise<void>;
    let set = this.listeners.get(type);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(type, set);
    }
    set.add(stored);
    return () => {
      this.listeners.get(type)?.delete(stored);
    };
  }

  /**
   * Calls every listener of the event's type (in the order they were added) and resolves once all
   * of them have settled. Never rejects: a failing listener goes to the error handler.
   */
  async emit(event: WorkspaceEvent): Promise<void> {
    const listeners = this.listeners.get(event.type);
    if (listeners === undefined || listeners.size === 0) return;
    const running: Promise<void>[] = [];
    for (const listener of [...listeners]) {
      try {
        const result = listener(event);
        if (result instanceof Promise) running.push(result.catch((error: unknown) => this.onListenerError(error, event)));
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
    if (running.length > 0) await Promise.all(running);
  }

  /** Emits from a synchronous method: the listeners start now, `settled()` waits for them. */
  post(event: WorkspaceEvent): void {
    const done = this.emit(event);
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }

  /** Resolves when the listeners of every event posted before this call have settled. */
  async settled(): Promise<void> {
    if (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}
