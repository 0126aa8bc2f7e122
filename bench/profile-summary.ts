/**
 * Summarizes the CPU profiles written by `bench/fanout.ts --profile`: self time by package /
 * module and the top functions, per server, so the per-event costs can be compared.
 *
 *   node --import tsx bench/profile-summary.ts [dir] [--top=25]
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const dir = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? path.join(os.tmpdir(), 'roadie-bench-profiles');
const top = Number(process.argv.find((a) => a.startsWith('--top='))?.slice(6) ?? '25');
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function category(f: CallFrame): string {
  const { url, functionName } = f;
  if (!url) return functionName.startsWith('(') ? functionName : `(native) ${functionName || 'anonymous'}`;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:');
  const file = url.replace(/^file:\/\//, '');
  if (file.startsWith(repo)) return path.relative(repo, file);
  return url;
}

for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort()) {
  const p = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const byCat = new Map<string, number>();
  const byFn = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === '(idle)') continue;
    busy += us;
    const c = category(f);
    byCat.set(c, (byCat.get(c) ?? 0) + us);
    const fn = `${f.functionName || '(anonymous)'} ${f.url ? `${category(f)}:${f.lineNumber + 1}` : ''}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
  }
  const wall = (p.endTime - p.startTime) / 1000;
  console.log(`\n== ${file}: ${(busy / 1000).toFixed(0)} ms busy of ${wall.toFixed(0)} ms profiled ==`);
  const rows = [...byCat].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [c, us] of rows) console.log(`${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${c}`);
  console.log('  -- top functions (self) --');
  for (const [fn, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${fn}`);
  }
}
