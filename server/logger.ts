import pino, { type Logger } from 'pino';
import type { Config } from './config.js';

/** Structured JSON logs; pretty-printed when a person watches the terminal. */
export function createLogger(config: Pick<Config, 'logLevel' | 'logPretty'>): Logger {
  return pino({
    level: config.logLevel,
    base: { app: 'roadie' },
    ...(config.logPretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  });
}
