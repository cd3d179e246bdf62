/**
 * The schema version this release's database service migrates to. A canary reporting less runs
 * on a schema its code does not expect. A test holds it equal to the service's newest migration.
 */
export const EXPECTED_SCHEMA_VERSION = 1;
