import { Migration } from '@mikro-orm/migrations';

export class Migration20261130011819 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop index \`job_items_retry_idx\`;`);
    this.addSql(`drop index \`job_items_heartbeat_idx\`;`);
  }

}
