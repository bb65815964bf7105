// Writes a Parquet file with arrow-rs (parquet-wasm) and prints the rows it holds as compact
// JSON lines, rendered the way rivven's reader renders them (dates "YYYY-MM-DD", UTC
// timestamps ISO-8601 with "Z", 64-bit integers as digits).
// Usage: node write_with_arrow_rs.mjs OUT CODEC VERSION DICTIONARY [ENCODING]
//   CODEC: UNCOMPRESSED | SNAPPY | GZIP | ZSTD;  VERSION: 1 | 2 (data page V1 / V2)
//   DICTIONARY: on | off;  ENCODING (fallback or primary): PLAIN | DELTA_BINARY_PACKED |
//   DELTA_LENGTH_BYTE_ARRAY | DELTA_BYTE_ARRAY | BYTE_STREAM_SPLIT (applied to the columns it fits)
import { writeFileSync } from 'node:fs';
import { pw, arrow, toJson } from './peers.mjs';

const [out, codec, version, dictionary, encoding] = process.argv.slice(2);
const rows = 2500;
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

const cols = { i32: [], i64: [], f64: [], f32: [], s: [], cat: [], b: [], d: [], ts: [], tsu: [] };
const expected = [];
const pad = (n, w) => String(n).padStart(w, '0');
for (let i = 0; i < rows; ++i) {
  const nul = (k) => (i * 7 + k) % 11 === 0;
  const i32 = nul(1) ? null : Math.floor(rand() * 4e9) - 2e9;
  const i64 = nul(2) ? null : BigInt(Math.floor(rand() * 1e9)) * 1000000007n - 500000000000000000n;
  const f64 = nul(3) ? null : Math.round(rand() * 1e6) / 1000 - 400;
  const f32 = nul(4) ? null : (i % 64) * 0.25 - 8;
  const s = nul(5) ? null : 'row-' + i + (i % 3 ? ' é✓' : '') + '-' + Math.floor(rand() * 1e6);
  const cat = nul(6) ? null : ['red', 'green', 'blue', ''][i % 4];
  const b = nul(7) ? null : rand() < 0.5;
  const dDays = nul(8) ? null : Math.floor(rand() * 40000) - 10000;
  const tsMs = nul(9) ? null : Math.floor(rand() * 4e12) - 1e12;
  const tsUs = nul(10) ? null : BigInt(Math.floor(rand() * 4e12)) * 1000n + BigInt(i % 1000);
  cols.i32.push(i32); cols.i64.push(i64); cols.f64.push(f64); cols.f32.push(f32); cols.s.push(s);
  cols.cat.push(cat); cols.b.push(b); cols.d.push(dDays === null ? null : new Date(dDays * 86400000));
  cols.ts.push(tsMs); cols.tsu.push(tsUs);
  const usIso = (us) => {
    const ms = Number(us / 1000n);
    return new Date(ms).toISOString().slice(0, 23) + pad(Number(us % 1000n), 3);
  };
  expected.push(toJson({
    i32, i64, f64, f32, s, cat, b,
    d: dDays === null ? null : new Date(dDays * 86400000).toISOString().slice(0, 10),
    ts: tsMs === null ? null : new Date(tsMs).toISOString(),
    tsu: tsUs === null ? null : usIso(tsUs),
  }));
}
// Arrow JS builders take timestamps in milliseconds: microseconds go in as raw data.
function micros(values) {
  const data = BigInt64Array.from(values, (v) => v ?? 0n);
  const validity = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => { if (v !== null) validity[i >> 3] |= 1 << (i & 7); });
  const nullCount = values.filter((v) => v === null).length;
  return arrow.makeVector(arrow.makeData({
    type: new arrow.TimestampMicrosecond(), length: values.length, nullCount, nullBitmap: validity, data,
  }));
}
const table = new arrow.Table({
  i32: arrow.vectorFromArray(cols.i32, new arrow.Int32()),
  i64: arrow.vectorFromArray(cols.i64, new arrow.Int64()),
  f64: arrow.vectorFromArray(cols.f64, new arrow.Float64()),
  f32: arrow.vectorFromArray(cols.f32, new arrow.Float32()),
  s: arrow.vectorFromArray(cols.s, new arrow.Utf8()),
  cat: arrow.vectorFromArray(cols.cat, new arrow.Utf8()),
  b: arrow.vectorFromArray(cols.b, new arrow.Bool()),
  d: arrow.vectorFromArray(cols.d, new arrow.DateDay()),
  ts: arrow.vectorFromArray(cols.ts, new arrow.TimestampMillisecond('UTC')),
  tsu: micros(cols.tsu),
});

let props = new pw.WriterPropertiesBuilder()
  .setCompression(pw.Compression[codec])
  .setWriterVersion(version === '2' ? pw.WriterVersion.V2 : pw.WriterVersion.V1)
  .setDictionaryEnabled(dictionary === 'on')
  .setDataPageSizeLimit(2048)
  .setMaxRowGroupSize(1000);
const fits = {
  DELTA_BINARY_PACKED: ['i32', 'i64', 'ts', 'tsu', 'd'],
  DELTA_LENGTH_BYTE_ARRAY: ['s', 'cat'],
  DELTA_BYTE_ARRAY: ['s', 'cat'],
  BYTE_STREAM_SPLIT: ['f32', 'f64'],
  PLAIN: Object.keys(cols),
};
if (encoding) {
  for (const c of fits[encoding]) props = props.setColumnEncoding(c, pw.Encoding[encoding]);
}
const bytes = pw.writeParquet(pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props.build());
writeFileSync(out, bytes);
process.stdout.write(expected.join('\n') + '\n');
