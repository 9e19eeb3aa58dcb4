/** The VersionStore (libs/versioning) of the daemon, rooted at the settings' versionRoot. */
export const MIRAGE_VERSIONS = Symbol('MIRAGE_VERSIONS');
