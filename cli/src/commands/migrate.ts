import { join } from 'node:path';
import { migrateDatabase, openDatabase } from '@weft/core';
import { WeftCommand } from '../base-command.js';
import { configFromFlags, databaseFlags, describeDatabase } from '../server-config.js';

export default class Migrate extends WeftCommand<typeof Migrate> {
  static override summary = 'Apply database migrations (no server needed).';
  static override description =
    '`weft start` applies them too; run this first when several processes share one PostgreSQL database, or to upgrade the schema before a deploy. Safe to run concurrently and repeatedly.';
  static override flags = { ...databaseFlags };
  static override examples = [
    '<%= config.bin %> migrate',
    '<%= config.bin %> migrate --database-url postgres://weft@db.internal:5432/weft',
    'WEFT_DATA_DIR=/var/lib/weft <%= config.bin %> migrate --json',
  ];

  async run() {
    const config = configFromFlags(this.flags);
    const database = await openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : join(config.dataDir, 'pgdata') });
    try {
      await migrateDatabase(database, config.databaseUrl);
    } finally {
      await database.close();
    }
    this.log(`Migrations applied: ${describeDatabase(config)} is up to date.`);
    return { migrated: true, driver: database.driver };
  }
}
