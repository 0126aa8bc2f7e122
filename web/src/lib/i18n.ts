// UI labels in German and English. Placeholders are written {name}; a message with plural
// forms picks one by the `count` parameter through Intl.PluralRules.

export type Locale = 'de' | 'en';
export const locales: readonly Locale[] = ['de', 'en'];

type Plural = { one: string; other: string };
type Message = string | Plural;

const en = {
  'app.tagline': 'Control room',
  'nav.label': 'Main navigation',
  'nav.workers': 'Workers',
  'nav.services': 'Services',
  'locale.label': 'Language',

  'page.workers.title': 'Workers',
  'page.workers.lead': 'The daemons that keep the library running, in start order.',
  'page.services.title': 'Services',
  'page.services.lead': 'External services Roadie talks to, probed at regular intervals.',
  'page.notFound.title': 'Not here yet',
  'page.notFound.body': 'This page does not exist yet.',
  'page.notFound.back': 'Back to the workers',

  'common.loading': 'Loading…',
  'common.loadFailed': 'Could not load: {message}',
  'common.never': 'never',
  'common.justNow': 'just now',
  'common.every': 'every {duration}',
  'common.yes': 'yes',
  'common.no': 'no',
  'common.none': '—',
  'common.dismiss': 'Dismiss',
  'common.cancel': 'Cancel',

  'connection.lost': 'Live connection lost. Reconnecting…',

  'orchestrator.running': '{count} of {total} running',
  'orchestrator.failed': '{count} failed',
  'orchestrator.healthy': 'Healthy',
  'orchestrator.degraded': 'Degraded: a required worker is not running',

  'state.REGISTERED': 'Registered',
  'state.STARTING': 'Starting',
  'state.RUNNING': 'Running',
  'state.PAUSED': 'Paused',
  'state.STOPPING': 'Stopping',
  'state.STOPPED': 'Stopped',
  'state.FAILED': 'Failed',

  'status.IDLE': 'Idle',
  'status.ACTIVE': 'Active',
  'status.ERROR': 'Error',
  'status.STOPPED': 'Stopped',

  'overall.idle': 'all idle',
  'overall.active': 'working',
  'overall.error': 'error',
  'overall.stopped': 'stopped',
  'indicator.label': 'Background workers: {state}',
  'indicator.workers': 'Background workers',
  'indicator.services': 'Services',

  'category.CRITICAL': 'Critical',
  'category.SYNC': 'Sync',
  'category.DOWNLOAD': 'Downloads',
  'category.AUTOMATION': 'Automation',
  'category.MAINTENANCE': 'Maintenance',

  'service.UP': 'Up',
  'service.DOWN': 'Down',
  'service.NOT_CONFIGURED': 'Not configured',
  'service.name': 'Service',
  'service.state': 'State',
  'service.latency': 'Latency',
  'service.checkedAt': 'Last checked',
  'service.lastError': 'Last error',
  'service.baseUrl': 'Address',
  'service.none': 'No services reported yet.',

  'action.start': 'Start',
  'action.stop': 'Stop',
  'action.pause': 'Pause',
  'action.resume': 'Resume',
  'action.runNow': 'Run now',
  'action.save': 'Save',
  'action.actions': 'Actions for {name}',

  'worker.required': 'required',
  'worker.status': 'Status',
  'worker.activity': 'Activity',
  'worker.viewJob': 'View job',
  'worker.lastRun': 'Last run',
  'worker.nextRun': 'Next run',
  'worker.runs': 'Runs',
  'worker.errors': 'Errors',
  'worker.restarts': 'Restarts',
  'worker.dependsOn': 'Depends on',
  'worker.dependents': 'Needed by',
  'worker.error': 'Error',
  'worker.lastError': 'Last error',
  'worker.interval': 'Interval (seconds)',
  'worker.intervalHint': 'every {duration}',
  'worker.enabled': 'Enabled',
  'worker.details': 'Details',
  'worker.none': 'No workers reported yet.',

  'summary.lastRun': 'last run {time}',
  'summary.neverRun': 'not run yet',
  'summary.downloads': 'every {duration} · ✓ {done} · ✕ {failed}',
  'summary.spotify': 'artists {artists} · playlists {playlists} · liked {liked} · albums {albums}',

  'detail.checkInterval': 'Check interval',
  'detail.refreshThreshold': 'Refresh before expiry',
  'detail.tokensRefreshed': 'Tokens refreshed',
  'detail.connected': 'Connected',
  'detail.hasErrors': 'Sync errors',
  'detail.syncArtists': 'Artists synced',
  'detail.syncPlaylists': 'Playlists synced',
  'detail.syncLikedSongs': 'Liked songs synced',
  'detail.syncSavedAlbums': 'Saved albums synced',
  'detail.pollInterval': 'Poll interval',
  'detail.lastPoll': 'Last poll',
  'detail.downloadsCompleted': 'Downloads completed',
  'detail.downloadsFailed': 'Downloads failed',
  'detail.releasesCached': 'Releases cached',
  'detail.jobsDispatched': 'Jobs dispatched',
  'detail.retriesScheduled': 'Retries scheduled',
  'detail.maxAttempts': 'Max attempts',
  'detail.backoff': 'Backoff',
  'detail.filesProcessed': 'Files processed',
  'detail.filesFailed': 'Files failed',
  'detail.artistsChecked': 'Artists checked',
  'detail.releasesQueued': 'Releases queued',
  'detail.albumsMissing': 'Albums missing',
  'detail.tracksChecked': 'Tracks checked',
  'detail.upgradesFound': 'Upgrades found',
  'detail.dryRun': 'Dry run',
  'detail.dryRunHint': 'Only report what would be deleted',
  'detail.retention': 'Retention',
  'detail.filesDeleted': 'Files deleted',
  'detail.bytesFreed': 'Space freed',
  'detail.filesFound': 'Files found',
  'detail.bytesFound': 'Space found',
  'detail.detectionMethod': 'Detection method',
  'detail.tracksScanned': 'Tracks scanned',
  'detail.duplicatesFound': 'Duplicates found',
  'detail.duplicateGroups': 'Duplicate groups',

  'confirm.stopCritical.title': 'Stop {name}?',
  'confirm.stopCritical.body':
    '{name} is a critical worker. Without it, tokens expire or downloads stall. Stop it anyway?',
  'confirm.stopDependents.title': 'Stop the workers that need {name}?',
  'confirm.stopDependents.body': 'These running workers depend on {name}: {dependents}.',
  'confirm.stopDependents.ok': 'Stop them too',
  'confirm.dryRunOff.title': 'Turn off dry run?',
  'confirm.dryRunOff.body':
    'Cleanup will then really delete orphaned temporary files older than {days} days.',
  'confirm.dryRunOff.ok': 'Delete for real',
} satisfies Record<string, Message>;

export type MessageKey = keyof typeof en;

const de: Record<MessageKey, Message> = {
  'app.tagline': 'Leitstand',
  'nav.label': 'Hauptnavigation',
  'nav.workers': 'Worker',
  'nav.services': 'Dienste',
  'locale.label': 'Sprache',

  'page.workers.title': 'Worker',
  'page.workers.lead': 'Die Hintergrunddienste der Bibliothek, in Startreihenfolge.',
  'page.services.title': 'Dienste',
  'page.services.lead': 'Externe Dienste, mit denen Roadie spricht, regelmäßig geprüft.',
  'page.notFound.title': 'Noch nicht da',
  'page.notFound.body': 'Diese Seite gibt es noch nicht.',
  'page.notFound.back': 'Zurück zu den Workern',

  'common.loading': 'Lädt …',
  'common.loadFailed': 'Laden fehlgeschlagen: {message}',
  'common.never': 'noch nie',
  'common.justNow': 'gerade eben',
  'common.every': 'alle {duration}',
  'common.yes': 'ja',
  'common.no': 'nein',
  'common.none': '—',
  'common.dismiss': 'Schließen',
  'common.cancel': 'Abbrechen',

  'connection.lost': 'Live-Verbindung unterbrochen. Verbinde neu …',

  'orchestrator.running': { one: '{count} von {total} läuft', other: '{count} von {total} laufen' },
  'orchestrator.failed': '{count} fehlgeschlagen',
  'orchestrator.healthy': 'Alles in Ordnung',
  'orchestrator.degraded': 'Eingeschränkt: ein erforderlicher Worker läuft nicht',

  'state.REGISTERED': 'Registriert',
  'state.STARTING': 'Startet',
  'state.RUNNING': 'Läuft',
  'state.PAUSED': 'Pausiert',
  'state.STOPPING': 'Stoppt',
  'state.STOPPED': 'Gestoppt',
  'state.FAILED': 'Fehlgeschlagen',

  'status.IDLE': 'Bereit',
  'status.ACTIVE': 'Aktiv',
  'status.ERROR': 'Fehler',
  'status.STOPPED': 'Gestoppt',

  'overall.idle': 'alle bereit',
  'overall.active': 'arbeitet',
  'overall.error': 'Fehler',
  'overall.stopped': 'gestoppt',
  'indicator.label': 'Hintergrund-Worker: {state}',
  'indicator.workers': 'Hintergrund-Worker',
  'indicator.services': 'Dienste',

  'category.CRITICAL': 'Kritisch',
  'category.SYNC': 'Synchronisierung',
  'category.DOWNLOAD': 'Downloads',
  'category.AUTOMATION': 'Automatisierung',
  'category.MAINTENANCE': 'Wartung',

  'service.UP': 'Erreichbar',
  'service.DOWN': 'Nicht erreichbar',
  'service.NOT_CONFIGURED': 'Nicht eingerichtet',
  'service.name': 'Dienst',
  'service.state': 'Zustand',
  'service.latency': 'Latenz',
  'service.checkedAt': 'Zuletzt geprüft',
  'service.lastError': 'Letzter Fehler',
  'service.baseUrl': 'Adresse',
  'service.none': 'Noch keine Dienste gemeldet.',

  'action.start': 'Starten',
  'action.stop': 'Stoppen',
  'action.pause': 'Pausieren',
  'action.resume': 'Fortsetzen',
  'action.runNow': 'Jetzt ausführen',
  'action.save': 'Speichern',
  'action.actions': 'Aktionen für {name}',

  'worker.required': 'erforderlich',
  'worker.status': 'Status',
  'worker.activity': 'Aktivität',
  'worker.viewJob': 'Job ansehen',
  'worker.lastRun': 'Letzter Lauf',
  'worker.nextRun': 'Nächster Lauf',
  'worker.runs': 'Läufe',
  'worker.errors': 'Fehler',
  'worker.restarts': 'Neustarts',
  'worker.dependsOn': 'Hängt ab von',
  'worker.dependents': 'Benötigt von',
  'worker.error': 'Fehler',
  'worker.lastError': 'Letzter Fehler',
  'worker.interval': 'Intervall (Sekunden)',
  'worker.intervalHint': 'alle {duration}',
  'worker.enabled': 'Aktiviert',
  'worker.details': 'Details',
  'worker.none': 'Noch keine Worker gemeldet.',

  'summary.lastRun': 'zuletzt {time}',
  'summary.neverRun': 'noch nie gelaufen',
  'summary.downloads': 'alle {duration} · ✓ {done} · ✕ {failed}',
  'summary.spotify': 'Künstler {artists} · Playlists {playlists} · Lieblingssongs {liked} · Alben {albums}',

  'detail.checkInterval': 'Prüfintervall',
  'detail.refreshThreshold': 'Erneuern vor Ablauf',
  'detail.tokensRefreshed': 'Tokens erneuert',
  'detail.connected': 'Verbunden',
  'detail.hasErrors': 'Sync-Fehler',
  'detail.syncArtists': 'Künstler synchronisiert',
  'detail.syncPlaylists': 'Playlists synchronisiert',
  'detail.syncLikedSongs': 'Lieblingssongs synchronisiert',
  'detail.syncSavedAlbums': 'Gespeicherte Alben synchronisiert',
  'detail.pollInterval': 'Abfrageintervall',
  'detail.lastPoll': 'Letzte Abfrage',
  'detail.downloadsCompleted': 'Downloads fertig',
  'detail.downloadsFailed': 'Downloads fehlgeschlagen',
  'detail.releasesCached': 'Releases zwischengespeichert',
  'detail.jobsDispatched': 'Jobs gestartet',
  'detail.retriesScheduled': 'Wiederholungen geplant',
  'detail.maxAttempts': 'Höchstens Versuche',
  'detail.backoff': 'Wartezeiten',
  'detail.filesProcessed': 'Dateien verarbeitet',
  'detail.filesFailed': 'Dateien fehlgeschlagen',
  'detail.artistsChecked': 'Künstler geprüft',
  'detail.releasesQueued': 'Releases eingereiht',
  'detail.albumsMissing': 'Fehlende Alben',
  'detail.tracksChecked': 'Titel geprüft',
  'detail.upgradesFound': 'Bessere Versionen gefunden',
  'detail.dryRun': 'Probelauf',
  'detail.dryRunHint': 'Nur melden, was gelöscht würde',
  'detail.retention': 'Aufbewahrung',
  'detail.filesDeleted': 'Dateien gelöscht',
  'detail.bytesFreed': 'Platz freigegeben',
  'detail.filesFound': 'Dateien gefunden',
  'detail.bytesFound': 'Platz gefunden',
  'detail.detectionMethod': 'Erkennungsmethode',
  'detail.tracksScanned': 'Titel durchsucht',
  'detail.duplicatesFound': 'Duplikate gefunden',
  'detail.duplicateGroups': 'Duplikatgruppen',

  'confirm.stopCritical.title': '{name} stoppen?',
  'confirm.stopCritical.body':
    '{name} ist ein kritischer Worker. Ohne ihn laufen Tokens ab oder Downloads bleiben hängen. Trotzdem stoppen?',
  'confirm.stopDependents.title': 'Auch die Worker stoppen, die {name} brauchen?',
  'confirm.stopDependents.body': 'Diese laufenden Worker hängen von {name} ab: {dependents}.',
  'confirm.stopDependents.ok': 'Auch diese stoppen',
  'confirm.dryRunOff.title': 'Probelauf ausschalten?',
  'confirm.dryRunOff.body':
    'Cleanup löscht dann wirklich verwaiste temporäre Dateien, die älter als {days} Tage sind.',
  'confirm.dryRunOff.ok': 'Wirklich löschen',
};

const tables: Record<Locale, Record<MessageKey, Message>> = { en, de };

export type MessageParams = Record<string, string | number>;

const pluralRules = new Map<Locale, Intl.PluralRules>();
function pluralCategory(locale: Locale, count: number): Intl.LDMLPluralRule {
  let rules = pluralRules.get(locale);
  if (!rules) {
    rules = new Intl.PluralRules(locale);
    pluralRules.set(locale, rules);
  }
  return rules.select(count);
}

/** The message for `key` in `locale`, with {placeholders} filled from `params`. */
export function translate(locale: Locale, key: MessageKey, params: MessageParams = {}): string {
  const message = tables[locale][key];
  const template =
    typeof message === 'string'
      ? message
      : pluralCategory(locale, Number(params.count ?? 0)) === 'one'
        ? message.one
        : message.other;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/** Picks 'de' for German-speaking browsers, 'en' for everyone else. */
export function localeFromLanguage(language: string | undefined): Locale {
  return language?.toLowerCase().startsWith('de') ? 'de' : 'en';
}
