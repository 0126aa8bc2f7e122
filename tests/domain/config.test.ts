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
});
