import { Migration } from '@mikro-orm/migrations';

export class Migration20261130051905 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`new_releases\` (\`id\` integer not null primary key autoincrement, \`source\` text not null, \`external_id\` text not null, \`title\` text not null, \`artist\` text null, \`release_date\` text null, \`record_type\` text null, \`link\` text null, \`cover_url\` text null, \`fetched_at\` datetime not null);`);
    this.addSql(`create unique index \`new_releases_source_external_id_unique\` on \`new_releases\` (\`source\`, \`external_id\`);`);
  }

}
