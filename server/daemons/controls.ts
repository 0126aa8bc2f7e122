import type { Logger } from 'pino';
import type { WorkerAction } from '../domain/daemons/states.js';
import type { ControlResult, Orchestrator } from './orchestrator.js';
import type { DaemonStore } from './store.js';

export interface ControlRequest {
  readonly action: WorkerAction;
  readonly name: string;
  readonly args?: Record<string, unknown>;
  readonly clientAddress: string | null;
}

/** The controls clients may use; each one is carried out, then written to the audit log. */
export class DaemonControls {
  constructor(
    private readonly orchestrator: Orchestrator,
    private readonly store: Pick<DaemonStore, 'audit'>,
    private readonly log: Logger,
  ) {}

  async perform(req: ControlRequest): Promise<ControlResult> {
    const result = await this.dispatch(req);
    const entry = {
      action: req.action,
      daemon: req.name,
      args: req.args && Object.keys(req.args).length > 0 ? req.args : null,
      clientAddress: req.clientAddress,
      outcome: result.ok ? (result.changed ? 'changed' : 'unchanged') : 'refused',
      detail: result.ok ? result.message : result.error.message,
    } as const;
    try {
      // after the change's events have gone out (they are delivered in this turn of the loop):
      // the audit row is written once, but should not delay a thousand subscribers
      await new Promise((resolve) => setImmediate(resolve));
      await this.store.audit(entry);
    } catch (err) {
      this.log.error({ err, entry }, 'could not write the audit log');
    }
    this.log.info(entry, 'daemon control');
    return result;
  }

  private dispatch({ action, name, args = {} }: ControlRequest): Promise<ControlResult> {
    const o = this.orchestrator;
    switch (action) {
      case 'START':
        return o.start(name);
      case 'STOP':
        return o.stop(name, args.cascade === true);
      case 'PAUSE':
        return o.pause(name);
      case 'RESUME':
        return o.resume(name);
      case 'RUN_NOW':
        return o.runNow(name);
      case 'SET_INTERVAL':
        return o.setInterval(name, Number(args.seconds));
      case 'SET_ENABLED':
        return o.setEnabled(name, args.enabled === true, args.cascade === true);
      case 'SET_DRY_RUN':
        return o.setSettings(name, { dryRun: args.dryRun });
    }
  }
}
