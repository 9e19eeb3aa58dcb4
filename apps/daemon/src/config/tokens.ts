// Injection tokens of the daemon. Every feature module injects these, never module-level state,
// so several daemons can live in one process (tests) or inside a host app.

/** The resolved `DaemonSettings`. */
export const MIRAGE_SETTINGS = Symbol('MIRAGE_SETTINGS');
/** The `WorkspaceRegistry` of @mirage-ts/workspace-core (its `.jobs` is the job table). */
export const MIRAGE_REGISTRY = Symbol('MIRAGE_REGISTRY');
/** The owner's exit callback (`MirageModuleOptions.onExit`), or null when embedded without one. */
export const MIRAGE_EXIT = Symbol('MIRAGE_EXIT');
