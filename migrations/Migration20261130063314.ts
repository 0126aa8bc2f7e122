import { Migration } from '@mikro-orm/migrations';

export class Migration20261130063314 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`watched_artists\` (\`id\` integer not null primary key autoincrement, \`name\` text not null, \`name_key\` text not null, \`mbid\` text null, \`origin\` text not null, \`added_at\` datetime not null, \`checked_at\` datetime null, \`discography_at\` datetime null, \`last_error\` text null);`);
    this.addSql(`create unique index \`watched_artists_name_key_unique\` on \`watched_artists\` (\`name_key\`);`);

    this.addSql(`create table \`missing_albums\` (\`id\` integer not null primary key autoincrement, \`artist_id\` integer not null, \`release_group_mbid\` text not null, \`title\` text not null, \`primary_type\` text null, \`first_release_date\` text null, \`found_at\` datetime not null, constraint \`missing_albums_artist_id_foreign\` foreign key(\`artist_id\`) references \`watched_artists\`(\`id\`) on delete cascade on update cascade);`);
    this.addSql(`create index \`missing_albums_artist_id_index\` on \`missing_albums\` (\`artist_id\`);`);
    this.addSql(`create unique index \`missing_albums_artist_id_release_group_mbid_unique\` on \`missing_albums\` (\`artist_id\`, \`release_group_mbid\`);`);
  }

}
