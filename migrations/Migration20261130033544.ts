import { Migration } from '@mikro-orm/migrations';

export class Migration20261130033544 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`playlist_sources\` (\`id\` integer not null primary key autoincrement, \`kind\` text not null, \`location\` text not null, \`format\` text null, \`last_read_at\` datetime null, \`last_error\` text null, \`created_at\` datetime not null);`);
    this.addSql(`create unique index \`playlist_sources_location_unique\` on \`playlist_sources\` (\`location\`);`);

    this.addSql(`create table \`playlists\` (\`id\` integer not null primary key autoincrement, \`source_id\` integer not null, \`source_key\` text not null, \`name\` text not null, \`description\` text null, \`wanted\` integer not null default false, \`song_count\` integer not null default 0, \`last_synced_at\` datetime null, \`created_at\` datetime not null, \`updated_at\` datetime not null, constraint \`playlists_source_id_foreign\` foreign key(\`source_id\`) references \`playlist_sources\`(\`id\`) on delete cascade on update cascade);`);
    this.addSql(`create index \`playlists_source_id_index\` on \`playlists\` (\`source_id\`);`);
    this.addSql(`create unique index \`playlists_source_id_source_key_unique\` on \`playlists\` (\`source_id\`, \`source_key\`);`);

    this.addSql(`create table \`songs\` (\`id\` integer not null primary key autoincrement, \`location\` text not null, \`title\` text not null, \`artist\` text null, \`album\` text null, \`duration_sec\` double null, \`track_number\` integer null, \`size_bytes\` bigint null, \`sha256\` text null, \`created_at\` datetime not null, \`updated_at\` datetime not null);`);
    this.addSql(`create unique index \`songs_location_unique\` on \`songs\` (\`location\`);`);

    this.addSql(`create table \`playlist_songs\` (\`id\` integer not null primary key autoincrement, \`playlist_id\` integer not null, \`song_id\` integer not null, \`position\` integer not null, constraint \`playlist_songs_playlist_id_foreign\` foreign key(\`playlist_id\`) references \`playlists\`(\`id\`) on delete cascade on update cascade, constraint \`playlist_songs_song_id_foreign\` foreign key(\`song_id\`) references \`songs\`(\`id\`) on delete cascade on update cascade);`);
    this.addSql(`create index \`playlist_songs_playlist_id_index\` on \`playlist_songs\` (\`playlist_id\`);`);
    this.addSql(`create index \`playlist_songs_song_id_index\` on \`playlist_songs\` (\`song_id\`);`);
    this.addSql(`create unique index \`playlist_songs_playlist_id_position_unique\` on \`playlist_songs\` (\`playlist_id\`, \`position\`);`);

    this.addSql(`create table \`storage_backends\` (\`id\` integer not null primary key autoincrement, \`name\` text not null, \`root\` text not null, \`is_default\` integer not null default false, \`created_at\` datetime not null);`);
    this.addSql(`create unique index \`storage_backends_name_unique\` on \`storage_backends\` (\`name\`);`);

    this.addSql(`create table \`local_files\` (\`id\` integer not null primary key autoincrement, \`song_id\` integer null, \`backend_id\` integer not null, \`relative_path\` text not null, \`size_bytes\` bigint not null, \`sha256\` text not null, \`container\` text null, \`bitrate_kbps\` integer null, \`duration_sec\` double null, \`created_at\` datetime not null, constraint \`local_files_song_id_foreign\` foreign key(\`song_id\`) references \`songs\`(\`id\`) on delete set null on update cascade, constraint \`local_files_backend_id_foreign\` foreign key(\`backend_id\`) references \`storage_backends\`(\`id\`) on delete cascade on update cascade);`);
    this.addSql(`create index \`local_files_song_id_index\` on \`local_files\` (\`song_id\`);`);
    this.addSql(`create index \`local_files_backend_id_index\` on \`local_files\` (\`backend_id\`);`);
    this.addSql(`create unique index \`local_files_backend_id_relative_path_unique\` on \`local_files\` (\`backend_id\`, \`relative_path\`);`);
  }

}
