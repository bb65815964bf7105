#include "transforms/event_router.h"

#include <string>

#include <gtest/gtest.h>

#include "transforms/tests/standard_test_util.h"

namespace rivven::transforms {
namespace {

using stdtest::ApplyTo;
using stdtest::ConfigError;
using stdtest::HeaderOf;
using stdtest::MakeOk;
using stdtest::Norm;
using stdtest::Rec;

// A Debezium change event of an outbox row, as the Postgres connector emits it.
std::string Event(const std::string& op, const std::string& after,
                  const std::string& before = "null") {
  return R"({"before":)" + before + R"(,"after":)" + after +
         R"(,"source":{"connector":"postgresql","table":"outbox","lsn":24023128},"op":")" + op +
         R"(","ts_ms":1700000000123})";
}

const char* kRow = R"({"id":"5a7c0f1e-8f1c-4b43-9d1a-0c2f0b0c9a11","aggregatetype":"Order",)"
                   R"("aggregateid":"order-1","type":"OrderCreated",)"
                   R"("payload":{"id":1,"customer":"Zoë","total":12.5}})";

Record OutboxRecord(const std::string& value) {
  Record r = Rec(value, R"({"id":"5a7c0f1e-8f1c-4b43-9d1a-0c2f0b0c9a11"})", "pg.public.outbox");
  r.headers.push_back({"origin", "pg"});
  r.timestamp_ms = 5;
  return r;
}

TEST(EventRouter, InsertBecomesTheEventWithDebeziumDefaults) {
  auto t = MakeOk(EventRouterDescriptor(), "");
  const auto out = ApplyTo(*t, OutboxRecord(Event("c", kRow)));
  EXPECT_KEPT(out);
  EXPECT_EQ(out.topic, "outbox.event.Order");
  EXPECT_EQ(Norm(out.record.value), R"({"id":1,"customer":"Zoë","total":12.5})");
  EXPECT_EQ(*out.record.key, R"("order-1")");
  EXPECT_EQ(HeaderOf(out.record, "id"), "5a7c0f1e-8f1c-4b43-9d1a-0c2f0b0c9a11");
  EXPECT_EQ(HeaderOf(out.record, "origin"), "pg");    // existing headers are kept
  EXPECT_EQ(out.record.timestamp_ms, 1700000000123);  // the change event's ts_ms
  EXPECT_TRUE(t->Topics().empty());
}

TEST(EventRouter, SnapshotReadsAreRoutedLikeInserts) {
  auto t = MakeOk(EventRouterDescriptor(), "");
  const auto out = ApplyTo(*t, OutboxRecord(Event("r", kRow)));
  EXPECT_KEPT(out);
  EXPECT_EQ(out.topic, "outbox.event.Order");
}

TEST(EventRouter, DeletesTombstonesAndUpdatesAreDropped) {
  auto t = MakeOk(EventRouterDescriptor(), "");
  const auto del = ApplyTo(*t, OutboxRecord(Event("d", "null", kRow)));
  ASSERT_TRUE(del.outcome.ok());
  EXPECT_EQ(*del.outcome, Outcome::kDrop);
  ASSERT_TRUE(ApplyTo(*t, Rec(std::nullopt, R"({"id":"x"})")).outcome.ok());
  EXPECT_EQ(*ApplyTo(*t, Rec(std::nullopt, R"({"id":"x"})")).outcome, Outcome::kDrop);
  const auto upd = ApplyTo(*t, OutboxRecord(Event("u", kRow, kRow)));
  ASSERT_TRUE(upd.outcome.ok());
  EXPECT_EQ(*upd.outcome, Outcome::kDrop);
  const auto trunc = ApplyTo(*t, OutboxRecord(Event("t", "null")));
  ASSERT_TRUE(trunc.outcome.ok());
  EXPECT_EQ(*trunc.outcome, Outcome::kDrop);
}

TEST(EventRouter, FatalUpdateFailsTheRecord) {
  auto t = MakeOk(EventRouterDescriptor(), "table.op.invalid.behavior: fatal");
  const auto upd = ApplyTo(*t, OutboxRecord(Event("u", kRow, kRow)));
  ASSERT_FALSE(upd.outcome.ok());
  EXPECT_EQ(upd.outcome.status().message(),
            R"(EventRouter: unexpected update of outbox row {"id":"5a7c0f1e-8f1c-4b43-9d1a-)"
            R"(0c2f0b0c9a11"} (table.op.invalid.behavior: fatal))");
}

TEST(EventRouter, NonEnvelopeRecordsPassUnchanged) {
  auto t = MakeOk(EventRouterDescriptor(), "");
  const std::string heartbeat = R"({"ts_ms":1700000000000})";
  const auto out = ApplyTo(*t, OutboxRecord(heartbeat));
  EXPECT_KEPT(out);
  EXPECT_EQ(out.topic, "pg.public.outbox");
  EXPECT_EQ(*out.record.value, heartbeat);
  EXPECT_EQ(HeaderOf(out.record, "id"), "<none>");
  EXPECT_KEPT(ApplyTo(*t, OutboxRecord("[1,2]")));
}

TEST(EventRouter, ExpandsJsonTextPayloads) {
  auto t = MakeOk(EventRouterDescriptor(), "table.expand.json.payload: true");
  const std::string row = R"({"id":"e1","aggregatetype":"Customer","aggregateid":"c-9",)"
                          R"("payload":"{\"name\":\"東京\",\"tags\":[1,2]}"})";
  const auto out = ApplyTo(*t, OutboxRecord(Event("c", row)));
  EXPECT_KEPT(out);
  EXPECT_EQ(Norm(out.record.value), R"({"name":"東京","tags":[1,2]})");
  EXPECT_EQ(out.topic, "outbox.event.Customer");

  // Text that is not JSON stays a string, as in Debezium.
  const std::string bad = R"({"id":"e2","aggregatetype":"Customer","aggregateid":"c-9",)"
                          R"("payload":"{oops"})";
  const auto kept = ApplyTo(*t, OutboxRecord(Event("c", bad)));
  EXPECT_KEPT(kept);
  EXPECT_EQ(*kept.record.value, R"("{oops")");

  // Without the option the string is kept.
  auto plain = MakeOk(EventRouterDescriptor(), "");
  EXPECT_EQ(*ApplyTo(*plain, OutboxRecord(Event("c", row))).record.value,
            R"("{\"name\":\"東京\",\"tags\":[1,2]}")");
}

TEST(EventRouter, CustomColumnsRouteAndAdditionalFields) {
  auto t = MakeOk(EventRouterDescriptor(), R"y(
table.field.event.id: event_id
table.field.event.key: entity_id
table.field.event.payload: body
table.field.event.timestamp: created_at
route.by.field: entity_type
route.topic.regex: "(?<kind>[a-z]+)_v(\\d+)"
route.topic.replacement: "$${kind}.events.v$2"
table.fields.additional.placement: "type:header:eventType, type:envelope, saga:envelope:sagaId"
)y");
  const std::string row =
      R"({"event_id":42,"entity_type":"invoice_v2","entity_id":{"n":7},"body":{"sum":3},)"
      R"("created_at":1600000000000,"type":"InvoicePaid","saga":null})";
  const auto out = ApplyTo(*t, OutboxRecord(Event("c", row)));
  EXPECT_KEPT(out);
  EXPECT_EQ(out.topic, "invoice.events.v2");
  EXPECT_EQ(Norm(out.record.value), R"({"payload":{"sum":3},"type":"InvoicePaid","sagaId":null})");
  EXPECT_EQ(Norm(out.record.key), R"({"n":7})");
  EXPECT_EQ(HeaderOf(out.record, "id"), "42");
  EXPECT_EQ(HeaderOf(out.record, "eventType"), "InvoicePaid");
  EXPECT_EQ(out.record.timestamp_ms, 1600000000000);

  // A route-by value the regex does not match is the topic itself (Debezium's RegexRouter).
  const std::string other = R"({"event_id":1,"entity_type":"Refund","entity_id":1,"body":{},)"
                            R"("created_at":null,"type":"x","saga":"s"})";
  const auto plain = ApplyTo(*t, OutboxRecord(Event("c", other)));
  EXPECT_KEPT(plain);
  EXPECT_EQ(plain.topic, "Refund");
  EXPECT_EQ(plain.record.timestamp_ms, 1700000000123);  // null column: the event's ts_ms
}

TEST(EventRouter, ConstantReplacementIsAStaticTopic) {
  auto t = MakeOk(EventRouterDescriptor(), "route.topic.replacement: all-events");
  EXPECT_EQ(t->Topics(), std::vector<std::string>{"all-events"});
  EXPECT_EQ(ApplyTo(*t, OutboxRecord(Event("c", kRow))).topic, "all-events");
}

TEST(EventRouter, TombstoneOnEmptyPayload) {
  const std::string empty = R"({"id":"e","aggregatetype":"Order","aggregateid":"o-1",)"
                            R"("payload":"  "})";
  const std::string null = R"({"id":"e","aggregatetype":"Order","aggregateid":"o-1",)"
                           R"("payload":null})";
  auto on = MakeOk(EventRouterDescriptor(), "route.tombstone.on.empty.payload: true");
  const auto a = ApplyTo(*on, OutboxRecord(Event("c", empty)));
  EXPECT_KEPT(a);
  EXPECT_FALSE(a.record.value.has_value());
  EXPECT_EQ(*a.record.key, R"("o-1")");
  EXPECT_EQ(a.topic, "outbox.event.Order");

  auto off = MakeOk(EventRouterDescriptor(), "");
  EXPECT_EQ(*ApplyTo(*off, OutboxRecord(Event("c", empty))).record.value, R"("  ")");
  EXPECT_FALSE(ApplyTo(*off, OutboxRecord(Event("c", null))).record.value.has_value());
}

TEST(EventRouter, MissingColumnsFailTheRecordUntouched) {
  auto t = MakeOk(EventRouterDescriptor(), "");
  const auto no_payload =
      ApplyTo(*t, OutboxRecord(Event("c", R"({"id":"e","aggregatetype":"Order"})")));
  ASSERT_FALSE(no_payload.outcome.ok());
  EXPECT_EQ(no_payload.outcome.status().message(),
            "EventRouter: the outbox row has no payload field 'payload'");
  const auto no_id =
      ApplyTo(*t, OutboxRecord(Event("c", R"({"payload":1,"aggregatetype":"Order"})")));
  EXPECT_EQ(no_id.outcome.status().message(),
            "EventRouter: the outbox row has no event id field 'id'");
  const auto no_type = ApplyTo(*t, OutboxRecord(Event("c", R"({"id":"e","payload":1})")));
  EXPECT_EQ(no_type.outcome.status().message(),
            "EventRouter: the outbox row has no route.by.field field 'aggregatetype'");
  EXPECT_TRUE(no_type.record.headers.size() == 1);  // only "origin": nothing was changed
  const auto bad_topic =
      ApplyTo(*t, OutboxRecord(Event("c", R"({"id":"e","payload":1,"aggregatetype":"a b"})")));
  EXPECT_EQ(bad_topic.outcome.status().message(),
            "EventRouter: aggregatetype 'a b' routes to an invalid topic name 'outbox.event.a "
            "b': only ASCII letters, digits, '.', '_' and '-' are allowed");
  const auto no_after = ApplyTo(*t, OutboxRecord(Event("c", "null")));
  EXPECT_EQ(no_after.outcome.status().message(),
            "EventRouter: the 'c' event has no 'after' row: null");
  const auto not_json = ApplyTo(*t, OutboxRecord("{"));
  EXPECT_FALSE(not_json.outcome.ok());

  auto extra = MakeOk(EventRouterDescriptor(), "table.fields.additional.placement: [type:header]");
  const auto no_extra = ApplyTo(*extra, OutboxRecord(Event("c", R"({"id":"e","payload":1,)"
                                                                R"("aggregatetype":"A"})")));
  EXPECT_EQ(no_extra.outcome.status().message(),
            "EventRouter: the outbox row has no additional field 'type'");
  auto lenient = MakeOk(EventRouterDescriptor(),
                        "{table.fields.additional.placement: [type:header], "
                        "table.fields.additional.error.on.missing: false}");
  EXPECT_KEPT(ApplyTo(*lenient, OutboxRecord(Event("c", R"({"id":"e","payload":1,)"
                                                        R"("aggregatetype":"A"})"))));
}

TEST(EventRouter, ConfigErrors) {
  EXPECT_EQ(
      ConfigError(EventRouterDescriptor(), "table.fields.additional.placement: [a:partition]"),
      "table.fields.additional.placement: 'a:partition': placement 'partition' is not "
      "supported (the topic's partitioner uses the key)");
  EXPECT_EQ(ConfigError(EventRouterDescriptor(), "table.fields.additional.placement: [a:body]"),
            "table.fields.additional.placement: 'a:body': unknown placement 'body' "
            "(expected header or envelope)");
  EXPECT_EQ(ConfigError(EventRouterDescriptor(), "table.fields.additional.placement: [a]"),
            "table.fields.additional.placement: 'a': expected column:header or "
            "column:envelope, with an optional :alias");
  EXPECT_EQ(ConfigError(EventRouterDescriptor(),
                        "table.fields.additional.placement: [a:envelope:payload]"),
            "table.fields.additional.placement: 'a:envelope:payload': the alias must be a "
            "non-empty name other than 'payload'");
  EXPECT_EQ(ConfigError(EventRouterDescriptor(), "route.topic.replacement: \"x$2\""),
            "route.topic.replacement: no group 2 in regex '(?<routedByValue>.*)' in "
            "replacement 'x$2'");
  EXPECT_NE(ConfigError(EventRouterDescriptor(), "table.op.invalid.behavior: ignore")
                .find("table.op.invalid.behavior"),
            std::string::npos);
  EXPECT_NE(ConfigError(EventRouterDescriptor(), "route.by.feild: x").find("route.by.feild"),
            std::string::npos);
}

}  // namespace
}  // namespace rivven::transforms
