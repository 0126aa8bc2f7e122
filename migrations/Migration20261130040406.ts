import { Migration } from '@mikro-orm/migrations';

export class Migration20261130040406 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`app_settings\` (\`key\` text not null, \`value\` json not null, \`updated_at\` datetime not null, primary key (\`key\`));`);
  }

}
