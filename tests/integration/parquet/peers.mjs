// Shared by the scripts: the npm peers (installed by scripts/install-deps.sh into
// tests/peers/node_modules) and a JSON rendering that keeps 64-bit integers exact.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const modules = path.join(root, 'tests/peers/node_modules');

export const pw = await import(path.join(modules, 'parquet-wasm/node/parquet_wasm.js'));
export const arrow = await import(path.join(modules, 'apache-arrow/Arrow.node.mjs'));
export const { parquetReadObjects } = await import(path.join(modules, 'hyparquet/src/index.js'));

/// Compact JSON like the C++ reader's: BigInt as bare digits, Dates as ISO strings, keys in order.
export function toJson(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '"NaN"';
    if (!Number.isFinite(v)) return v > 0 ? '"Infinity"' : '"-Infinity"';
    return JSON.stringify(v);
  }
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (Array.isArray(v)) return '[' + v.map(toJson).join(',') + ']';
  return '{' + Object.entries(v).map(([k, x]) => JSON.stringify(k) + ':' + toJson(x)).join(',') + '}';
}
