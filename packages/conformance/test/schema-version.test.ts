import { migrations } from '@appdist/database/migrations';
import { describe, expect, it } from 'vitest';
import { EXPECTED_SCHEMA_VERSION } from '../src/schema-version.js';

describe('EXPECTED_SCHEMA_VERSION', () => {
  it("is the database service's newest migration, so a release's suite expects its own schema", () => {
    expect(migrations.length).toBeGreaterThan(0);
    expect(EXPECTED_SCHEMA_VERSION).toBe(
      Math.max(...migrations.map((migration) => migration.version)),
    );
  });
});
