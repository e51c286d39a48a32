// Summarises a V8 CPU profile (`node --cpu-prof`): self time by area (csv-stringify, Node streams, the
// storage SDK, ...) and the top functions by self time.
//   node --import tsx bench/profile-summary.ts <file.cpuprofile> [--top 25]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  byArea: { area: string; ms: number; share: number }[];
  topFunctions: { name: string; where: string; area: string; ms: number; share: number }[];
}

/** Which part of the program a call frame belongs to, from its script URL. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'garbage collection';
    if (functionName === '(idle)') return 'idle (waiting for I/O)';
    if (functionName === '(program)') return 'V8/native (program)';
    return `native: ${functionName || '(anonymous)'}`;
  }
  if (url.includes('/node_modules/csv-stringify/')) return 'csv-stringify';
  if (url.includes('/node_modules/@azure/storage-')) return '@azure/storage-*';
  if (url.includes('/node_modules/@azure/') || url.includes('/node_modules/@typespec/'))
    return '@azure/core-* (HTTP pipeline)';
  if (url.includes('/node_modules/')) return 'other packages';
  if (url.startsWith('node:internal/streams/') || url.startsWith('node:stream')) return 'node: streams';
  if (url.startsWith('node:internal/process/') || url.startsWith('node:internal/async_hooks'))
    return 'node: promises/ticks';
  if (url.startsWith('node:')) return `node: ${url.slice(5).split('/').slice(-1)[0] ?? url}`;
  if (url.includes('/bench/')) return 'bench (row source)';
  if (url.includes('/src/')) return 'src (app code)';
  return 'other';
}

export function summariseProfile(profile: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

  const areas = new Map<string, number>();
  const functions = new Map<string, { name: string; where: string; area: string; us: number }>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const area = areaOf(frame.url, frame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const file = frame.url
      .replace(/^.*\/node_modules\//, '')
      .replace(/^file:\/\/.*?\/(src|bench|dev)\//, '$1/');
    const where = frame.url === '' ? '' : `${file}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName}@${where}`;
    const entry = functions.get(key) ?? { name: frame.functionName || '(anonymous)', where, area, us: 0 };
    entry.us += us;
    functions.set(key, entry);
  }
  const share = (us: number) => Math.round((us / totalUs) * 1000) / 10;
  return {
    totalMs: Math.round(totalUs / 1000),
    byArea: [...areas]
      .sort((a, b) => b[1] - a[1])
      .map(([area, us]) => ({ area, ms: Math.round(us / 1000), share: share(us) })),
    topFunctions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({
        name: f.name,
        where: f.where,
        area: f.area,
        ms: Math.round(f.us / 1000),
        share: share(f.us),
      })),
  };
}

export function formatProfileSummary(summary: ProfileSummary): string {
  const lines = [`CPU profile: ${summary.totalMs} ms sampled`, '', 'self time by area:'];
  const shown = summary.byArea.filter((a) => a.share >= 0.5);
  const rest = summary.byArea.filter((a) => a.share < 0.5);
  const row = (area: string, ms: number, share: number) =>
    `  ${area.padEnd(34)} ${String(ms).padStart(7)} ms ${share.toFixed(1).padStart(5)} %`;
  for (const a of shown) lines.push(row(a.area, a.ms, a.share));
  if (rest.length > 0) {
    const ms = rest.reduce((sum, a) => sum + a.ms, 0);
    const share = rest.reduce((sum, a) => sum + a.share, 0);
    lines.push(row(`(${rest.length} more, each < 0.5 %)`, ms, share));
  }
  lines.push('', 'top functions by self time:');
  for (const f of summary.topFunctions) {
    lines.push(
      `  ${String(f.ms).padStart(7)} ms ${f.share.toFixed(1).padStart(5)} %  ${f.name.slice(0, 40).padEnd(40)} ${f.where}`,
    );
  }
  return lines.join('\n');
}

if (require.main === module) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string' } },
  });
  const file = positionals[0];
  if (!file) {
    process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [--top 25]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(`${formatProfileSummary(summariseProfile(profile, Number(values.top ?? 25)))}\n`);
}
