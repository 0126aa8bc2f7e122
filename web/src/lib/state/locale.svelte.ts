import { localeFromLanguage, locales, translate, type Locale, type MessageKey, type MessageParams } from '../i18n.js';

const storageKey = 'roadie.locale';

function initialLocale(): Locale {
  try {
    const stored = localStorage.getItem(storageKey);
    if (stored && (locales as readonly string[]).includes(stored)) return stored as Locale;
  } catch {
    // Storage may be blocked (private mode, sandboxed frame); fall back to the browser language.
  }
  return localeFromLanguage(navigator.language);
}

/** The UI language: remembered per browser, defaulting to the browser's own language. */
class LocaleState {
  current = $state<Locale>(initialLocale());

  constructor() {
    document.documentElement.lang = this.current;
  }

  set(next: Locale): void {
    this.current = next;
    document.documentElement.lang = next;
    try {
      localStorage.setItem(storageKey, next);
    } catch {
      // Not remembered across visits, but the switch still applies now.
    }
  }

  /** Translates in the current language; reading it in a template re-renders on a switch. */
  t = (key: MessageKey, params?: MessageParams): string => translate(this.current, key, params);
}

export const locale = new LocaleState();
