import { describe } from 'vitest';
import { describeLinksApi } from './links-api-contract.js';
import { startOnPostgres } from './support.js';

describe('links API on PostgreSQL', () => {
  describeLinksApi(startOnPostgres);
});
