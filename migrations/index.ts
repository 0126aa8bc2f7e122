import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261123103825 } from './Migration20261123103825.js';
import { Migration20261123113817 } from './Migration20261123113817.js';
import { Migration20261130010000 } from './Migration20261130010000.js';
import { Migration20261130011819 } from './Migration20261130011819.js';
import { Migration20261130033544 } from './Migration20261130033544.js';
import { Migration20261130040406 } from './Migration20261130040406.js';
import { Migration20261130043212 } from './Migration20261130043212.js';
import { Migration20261130051905 } from './Migration20261130051905.js';
import { Migration20261130060638 } from './Migration20261130060638.js';
import { Migration20261130061356 } from './Migration20261130061356.js';
import { Migration20261130062414 } from './Migration20261130062414.js';
import { Migration20261130063314 } from './Migration20261130063314.js';
import { Migration20261130065149 } from './Migration20261130065149.js';
import { Migration20261130090000 } from './Migration20261130090000.js';

/**
 * Migrations in order, imported statically (the ORM's own dynamic import does not load .ts
 * under vitest/ESM). `npm run migration:create` appends new ones here.
 */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261123103825', class: Migration20261123103825 },
  { name: 'Migration20261123113817', class: Migration20261123113817 },
  { name: 'Migration20261130010000', class: Migration20261130010000 },
  { name: 'Migration20261130011819', class: Migration20261130011819 },
  { name: 'Migration20261130033544', class: Migration20261130033544 },
  { name: 'Migration20261130040406', class: Migration20261130040406 },
  { name: 'Migration20261130043212', class: Migration20261130043212 },
  { name: 'Migration20261130051905', class: Migration20261130051905 },
  { name: 'Migration20261130060638', class: Migration20261130060638 },
  { name: 'Migration20261130061356', class: Migration20261130061356 },
  { name: 'Migration20261130062414', class: Migration20261130062414 },
  { name: 'Migration20261130063314', class: Migration20261130063314 },
  { name: 'Migration20261130065149', class: Migration20261130065149 },
  { name: 'Migration20261130090000', class: Migration20261130090000 },
];
