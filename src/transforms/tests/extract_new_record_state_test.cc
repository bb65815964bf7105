// ExtractNewRecordState against hand-written Debezium envelopes (and ones built by the same code
// the CDC sources use).
#include <gtest/gtest.h>

#include "record/debezium.h"
#include "transforms/tests/chain_test_util.h"

namespace rivven::transforms {
namespace {

using testing::BuildErrors;
using testing::BuildOk;
using testing::HeaderValue;
using testing::One;
using testing::Rec;
using testing::RunBatch;

constexpr const char* kSource =
    R"({"version":"0.1.0","connector":"postgresql","name":"pg","ts_ms":1700000000000,)"
    R"("snapshot":"false","db":"shop","schema":"public","table":"orders","txId":77,"lsn":12345})";

std::string Envelope(const std::string& before, const std::string& after, const std::string& op) {
  return R"({"before":)" + before + R"(,"after":)" + after + R"(,"source":)" + kSource +
         R"(,"op":")" + op + R"(","ts_ms":1700000000500})";
}

const std::string kRow1 = R"({"id":1,"status":"new","total":12.5})";
const std::string kRow1b = R"({"id":1,"status":"paid","total":12.5})";

TEST(ExtractNewRecordState, CreateReadUpdateBecomeTheAfterRow) {
  TransformChain chain = BuildOk("- type: ExtractNewRecordState\n");
  EXPECT_EQ(One(chain, Envelope("null", kRow1, "c")), kRow1);
  EXPECT_EQ(One(chain, Envelope("null", kRow1, "r")), kRow1);
  EXPECT_EQ(One(chain, Envelope(kRow1, kRow1b, "u")), kRow1b);
}

TEST(ExtractNewRecordState, DefaultsDropDeletesTombstonesAndTruncates) {
  TransformChain chain = BuildOk("- type: ExtractNewRecordState\n");
  EXPECT_EQ(One(chain, Envelope(kRow1, "null", "d")), "<dropped>");
  EXPECT_EQ(One(chain, std::nullopt), "<dropped>");
  EXPECT_EQ(One(chain, R"({"source":)" + std::string(kSource) + R"(,"op":"t","ts_ms":1})"),
            "<dropped>");
}

TEST(ExtractNewRecordState, DeletesAsTombstonesKeepTheKey) {
  for (const char* mode : {"none", "tombstone"}) {
    TransformChain chain = BuildOk(std::string("- type: ExtractNewRecordState\n"
                                               "  config: {delete.handling.mode: ") +
                                   mode + ", drop.tombstones: false}\n");
    testing::Output out =
        RunBatch(chain, {Rec(Envelope(kRow1, "null", "d"), R"({"id":1})"), Rec(std::nullopt)});
    ASSERT_EQ(out.records.size(), 2u) << mode;
    EXPECT_FALSE(out.records[0].value.has_value());
    EXPECT_EQ(*out.records[0].key, R"({"id":1})");  // the key is never touched
    EXPECT_FALSE(out.records[1].value.has_value());
  }
}

TEST(ExtractNewRecordState, RewriteMarksEveryRowWithDeleted) {
  TransformChain chain = BuildOk(R"(
- type: ExtractNewRecordState
  config:
    delete.handling.mode: rewrite
)");
  EXPECT_EQ(One(chain, Envelope(kRow1, "null", "d")),
            R"({"id":1,"status":"new","total":12.5,"__deleted":"true"})");
  EXPECT_EQ(One(chain, Envelope("null", kRow1, "c")),
            R"({"id":1,"status":"new","total":12.5,"__deleted":"false"})");
  EXPECT_EQ(One(chain, Envelope(kRow1, kRow1b, "u")),
            R"({"id":1,"status":"paid","total":12.5,"__deleted":"false"})");
  // A delete without a before image (no REPLICA IDENTITY FULL) still says it was deleted.
  EXPECT_EQ(One(chain, Envelope("null", "null", "d")), R"({"__deleted":"true"})");
  EXPECT_EQ(One(chain, std::nullopt), "<dropped>");
}

TEST(ExtractNewRecordState, AddFieldsUseDebeziumNames) {
  TransformChain chain = BuildOk(R"(
- type: ExtractNewRecordState
  config:
    delete.handling.mode: rewrite
    add.fields: [op, table, lsn, source.ts_ms, ts_ms, db, schema, file]
)");
  EXPECT_EQ(One(chain, Envelope(kRow1, kRow1b, "u")),
            R"({"id":1,"status":"paid","total":12.5,"__deleted":"false","__op":"u",)"
            R"("__table":"orders","__lsn":12345,"__source_ts_ms":1700000000000,)"
            R"("__ts_ms":1700000000500,"__db":"shop","__schema":"public","__file":null})");
  EXPECT_EQ(One(chain, Envelope(kRow1, "null", "d")),
            R"({"id":1,"status":"new","total":12.5,"__deleted":"true","__op":"d",)"
            R"("__table":"orders","__lsn":12345,"__source_ts_ms":1700000000000,)"
            R"("__ts_ms":1700000000500,"__db":"shop","__schema":"public","__file":null})");
}

TEST(ExtractNewRecordState, AddHeadersAndPrefixes) {
  TransformChain chain = BuildOk(R"(
- type: ExtractNewRecordState
  config:
    add.fields: [op]
    add.fields.prefix: "cdc_"
    add.headers: [op, source.ts_ms, table, missing]
)");
  testing::Output out = RunBatch(chain, {Rec(Envelope("null", kRow1, "c"))});
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(*out.records[0].value, R"({"id":1,"status":"new","total":12.5,"cdc_op":"c"})");
  EXPECT_EQ(HeaderValue(out.records[0], "__op"), "c");
  EXPECT_EQ(HeaderValue(out.records[0], "__source_ts_ms"), "1700000000000");
  EXPECT_EQ(HeaderValue(out.records[0], "__table"), "orders");
  EXPECT_EQ(HeaderValue(out.records[0], "__missing"), "<none>");  // null/absent: no header
  EXPECT_EQ(out.records[0].headers.size(), 3u);
}

TEST(ExtractNewRecordState, EnvelopesFromTheCdcSources) {
  debezium::SourceInfo source;
  source.version = "0.1.0";
  source.connector = "mysql";
  source.name = "my";
  source.ts_ms = 5;
  source.db = "shop";
  source.table = "users";
  source.file = "binlog.000003";
  source.pos = 154;
  const std::string insert = debezium::BuildEnvelope(std::nullopt, R"({"id":7,"name":"Zoë"})",
                                                     source, debezium::Op::kCreate, 9);
  TransformChain chain = BuildOk(R"(
- type: ExtractNewRecordState
  config: {add.fields: [table, file, pos, lsn]}
)");
  EXPECT_EQ(One(chain, insert),
            R"({"id":7,"name":"Zoë","__table":"users","__file":"binlog.000003","__pos":154,)"
            R"("__lsn":null})");
}

TEST(ExtractNewRecordState, NonEnvelopesPassThroughAndBadJsonFails) {
  TransformChain chain = BuildOk("- type: ExtractNewRecordState\n");
  // Plain rows, heartbeats, an op without before/after, an unknown op, a non-object.
  for (const std::string& v :
       {std::string(R"({"id":1,"op":"c"})"), std::string(R"({ "ts_ms" : 1 })"),
        std::string(R"({"op":"x","after":{}})"), std::string(R"({"op":"cu","after":{}})"),
        std::string("[1,2]"), std::string("\"text\""), std::string("null")}) {
    EXPECT_EQ(One(chain, v), v);
  }
  EXPECT_EQ(One(chain, "{\"op\":"),
            "<failed: transforms[0] (ExtractNewRecordState): value is not valid JSON: Invalid "
            "value. (at byte 6)>");
}

TEST(ExtractNewRecordState, ConfigErrors) {
  EXPECT_EQ(BuildErrors(R"(
- type: ExtractNewRecordState
  config: {delete.handling.mode: rewrit}
)"),
            "pipeline.yaml:3:34: error: sources.db.transforms[0].config.delete.handling.mode: "
            "invalid value 'rewrit': must be one of: drop, none, tombstone, rewrite (did you mean "
            "'rewrite'?)\n");
  EXPECT_EQ(BuildErrors(R"(
- type: ExtractNewRecordState
  config: {drop.tombstone: false}
)"),
            "pipeline.yaml:3:12: error: sources.db.transforms[0].config.drop.tombstone: unknown "
            "key 'drop.tombstone' (did you mean 'drop.tombstones'?)\n");
  EXPECT_EQ(BuildErrors(R"(
- type: ExtractNewRecordState
  config: {add.fields: ["source..x"]}
)"),
            "pipeline.yaml:3:24: error: sources.db.transforms[0].config.add.fields: empty field "
            "name in path 'source..x'\n");
}

}  // namespace
}  // namespace rivven::transforms
