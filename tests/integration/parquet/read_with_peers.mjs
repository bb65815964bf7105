// Reads a Parquet file with arrow-rs (parquet-wasm) and with hyparquet and prints each
// library's rows as compact JSON lines: "arrow\t<row>" and "hyparquet\t<row>".
// Usage: node read_with_peers.mjs FILE
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { pw, arrow, parquetReadObjects, toJson } from './peers.mjs';

const bytes = new Uint8Array(readFileSync(process.argv[2]));
const table = arrow.tableFromIPC(pw.readParquet(bytes).intoIPCStream());
for (const row of table.toArray()) process.stdout.write('arrow\t' + toJson(row.toJSON()) + '\n');
const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
// hyparquet decodes SNAPPY itself; GZIP and ZSTD come from node's zlib and the zstd command
// (node 20 has no zstd), so the pages are still decoded by code independent of rivven's.
const compressors = {
  GZIP: (input) => new Uint8Array(gunzipSync(input)),
  ZSTD: (input) => new Uint8Array(execFileSync('zstd', ['-d', '-c', '-q'], { input })),
};
const objects = await parquetReadObjects({ file: buffer, compressors });
for (const row of objects) process.stdout.write('hyparquet\t' + toJson(row) + '\n');
