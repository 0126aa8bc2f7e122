import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.js';

describe('config', () => {
  it('has defaults that serve a fresh machine', () => {
    const c = loadConfig({});
    expect(c.port).toBe(4000);
    expect(c.dataDir).toMatch(/data$/);
    expect(c.dbFile).toMatch(/data\/roadie\.sqlite$/);
    expect(c.services.spotify).toBeUndefined();
    expect(c.cleanupRetentionDays).toBe(7);
    expect(c.jobRetentionDays).toBe(30);
  });

  it('reads the job retention in whole days', () => {
    expect(loadConfig({ ROADIE_JOB_RETENTION_DAYS: '90' }).jobRetentionDays).toBe(90);
    expect(loadConfig({ ROADIE_JOB_RETENTION_DAYS: '0' }).jobRetentionDays).toBe(0);
    expect(() => loadConfig({ ROADIE_JOB_RETENTION_DAYS: '-1' })).toThrow(/ROADIE_JOB_RETENTION_DAYS/);
    expect(() => loadConfig({ ROADIE_JOB_RETENTION_DAYS: '1.5' })).toThrow(/ROADIE_JOB_RETENTION_DAYS/);
  });

  it("puts V8's background threads on SCHED_IDLE by default, but not under NODE_ENV=test unless asked", () => {
    expect(loadConfig({}).idleV8Workers).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).idleV8Workers).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test', ROADIE_IDLE_V8_WORKERS: 'true' }).idleV8Workers).toBe(true);
    expect(loadConfig({ ROADIE_IDLE_V8_WORKERS: 'no' }).idleV8Workers).toBe(false);
    expect(() => loadConfig({ ROADIE_IDLE_V8_WORKERS: 'sometimes' })).toThrow(/ROADIE_IDLE_V8_WORKERS/);
  });

  it('names the bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT="eighty"/);
    expect(() => loadConfig({ ROADIE_SLSKD_URL: 'ftp://x' })).toThrow(/ROADIE_SLSKD_URL/);
    expect(() => loadConfig({ ROADIE_AUTOSTART: 'maybe' })).toThrow(/ROADIE_AUTOSTART/);
  });

  it('reads service URLs and treats empty as unset', () => {
    const c = loadConfig({ ROADIE_SLSKD_URL: 'http://127.0.0.1:5030', ROADIE_DEEZER_URL: '' });
    expect(c.services.slskd).toBe('http://127.0.0.1:5030');
    expect(c.services.deezer).toBeUndefined();
  });

  it('Spotify: the public endpoints by default, configured with a client id, a secret key of 16 characters or more', () => {
    const none = loadConfig({});
    expect(none.spotify).toEqual({ clientId: null, accountsUrl: 'https://accounts.spotify.com', apiUrl: 'https://api.spotify.com/v1' });
    expect(none.secretKey).toBeNull();
    const c = loadConfig({ ROADIE_SPOTIFY_CLIENT_ID: ' abc ', ROADIE_SECRET_KEY: 'sixteen-chars-ok', ROADIE_PUBLIC_URL: 'https://roadie.example/' });
    expect(c.spotify.clientId).toBe('abc');
    expect(c.services.spotify).toBe('https://api.spotify.com/v1'); // probed once a client id is set
    expect(c.secretKey).toBe('sixteen-chars-ok');
    expect(c.publicUrl).toBe('https://roadie.example');
    expect(() => loadConfig({ ROADIE_SECRET_KEY: 'too-short' })).toThrow(/ROADIE_SECRET_KEY=.*at least 16 characters/);
    expect(() => loadConfig({ ROADIE_PUBLIC_URL: 'roadie.example' })).toThrow(/ROADIE_PUBLIC_URL/);
  });
});
