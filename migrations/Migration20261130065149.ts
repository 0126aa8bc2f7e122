import { Migration } from '@mikro-orm/migrations';

export class Migration20261130065149 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`local_files\` add column \`upgrade_checked_at\` datetime null;`);
  }

}
