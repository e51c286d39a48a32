// Summarises a V8 CPU profile (`node --cpu-prof`): self time by area (csv-stringify, Node streams, the
// storage SDK, ...) and the top functions by self time; given two or more, side by side.
//   node --import tsx bench/profile-summary.ts <file.cpuprofile> [more.cpuprofile ...] [--top 25]
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
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

function formatProfileSummary(summary: ProfileSummary): string {
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

/**
 * Profiles side by side (e.g. csv-stringify alone and the pipeline over the same rows): self time by area
 * in each, with the last one's difference to the first, then each one's top functions.
 */
export function formatProfileComparison(
  profiles: readonly { name: string; summary: ProfileSummary }[],
): string {
  const first = profiles[0];
  const last = profiles[profiles.length - 1];
  if (!first || !last) return '';
  const msOf = (summary: ProfileSummary, area: string) =>
    summary.byArea.find((a) => a.area === area)?.ms ?? 0;
  const areas = [...new Set(profiles.flatMap((p) => p.summary.byArea.map((a) => a.area)))];
  // Largest first in the last profile; areas under 0.5 % of every profile are summed in one line.
  areas.sort((a, b) => msOf(last.summary, b) - msOf(last.summary, a));
  const shown = areas.filter((area) =>
    profiles.some((p) => (p.summary.byArea.find((a) => a.area === area)?.share ?? 0) >= 0.5),
  );
  const rest = areas.filter((area) => !shown.includes(area));
  const width = Math.max(12, ...profiles.map((p) => p.name.length));
  const cell = (ms: number) => `${String(ms).padStart(width - 3)} ms`;
  const row = (label: string, values: number[]) => {
    const diff = (values[values.length - 1] ?? 0) - (values[0] ?? 0);
    const sign = diff > 0 ? '+' : '';
    return `  ${label.padEnd(34)} ${values.map(cell).join(' ')} ${`${sign}${diff}`.padStart(8)} ms`;
  };
  const lines = [
    `self time by area (ms sampled; last column: ${last.name} - ${first.name}):`,
    `  ${''.padEnd(34)} ${profiles.map((p) => p.name.padStart(width)).join(' ')} ${'difference'.padStart(11)}`,
    row(
      'total',
      profiles.map((p) => p.summary.totalMs),
    ),
  ];
  for (const area of shown)
    lines.push(
      row(
        area,
        profiles.map((p) => msOf(p.summary, area)),
      ),
    );
  if (rest.length > 0) {
    const sum = (summary: ProfileSummary) => rest.reduce((total, area) => total + msOf(summary, area), 0);
    lines.push(
      row(
        `(${rest.length} more, each < 0.5 %)`,
        profiles.map((p) => sum(p.summary)),
      ),
    );
  }
  for (const { name, summary } of profiles) {
    lines.push('', `${name}: top functions by self time:`);
    for (const f of summary.topFunctions) {
      lines.push(
        `  ${String(f.ms).padStart(7)} ms ${f.share.toFixed(1).padStart(5)} %  ${f.name.slice(0, 40).padEnd(40)} ${f.where}`,
      );
    }
  }
  return lines.join('\n');
}

if (require.main === module) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string' } },
  });
  if (positionals.length === 0) {
    process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [more.cpuprofile ...] [--top 25]\n');
    process.exit(2);
  }
  const top = Number(values.top ?? 25);
  const summaries = positionals.map((file) => ({
    name: basename(file, '.cpuprofile'),
    summary: summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top),
  }));
  const [only] = summaries;
  process.stdout.write(
    `${summaries.length === 1 && only ? formatProfileSummary(only.summary) : formatProfileComparison(summaries)}\n`,
  );
}
