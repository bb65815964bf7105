#!/usr/bin/env node
// A real Airbyte source built with faros-airbyte-cdk (tests/peers; scripts/install-deps.sh
// installs it): one incremental stream `numbers` whose state is the last id, so a run with the
// stored state continues after it.
'use strict';
const path = require('path');
const {AirbyteSourceBase, AirbyteStreamBase, AirbyteSourceRunner, AirbyteSourceLogger, AirbyteSpec} =
    require(path.join(__dirname, '../../peers/node_modules/faros-airbyte-cdk'));

class Numbers extends AirbyteStreamBase {
  constructor(logger, config) { super(logger); this.config = config; }
  get name() { return 'numbers'; }
  get primaryKey() { return 'id'; }
  get cursorField() { return 'id'; }
  getJsonSchema() { return {type: 'object', properties: {id: {type: 'integer'}, sq: {type: 'integer'}}}; }
  async *readRecords(syncMode, cursorField, slice, state) {
    const from = state?.id ?? 0;
    for (let i = from + 1; i <= from + this.config.count; i++) yield {id: i, sq: i * i};
  }
  getUpdatedState(current, latest) { return {id: Math.max(current?.id ?? 0, latest.id)}; }
}

class TinySource extends AirbyteSourceBase {
  get type() { return 'tiny'; }
  async spec() {
    return new AirbyteSpec({documentationUrl: 'https://example.invalid', supportsIncremental: true,
      connectionSpecification: {type: 'object', required: ['count'], properties: {count: {type: 'integer'}}}});
  }
  async checkConnection(c) { return c.count > 0 ? [true, undefined] : [false, new Error('count must be > 0')]; }
  streams(c) { return [new Numbers(this.logger, c)]; }
}

const logger = new AirbyteSourceLogger();
new AirbyteSourceRunner(logger, new TinySource(logger)).mainCommand().parse(process.argv);
