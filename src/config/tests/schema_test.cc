#include "config/schema.h"

#include <gtest/gtest.h>

#include "config/scalars.h"
#include "config/tests/test_util.h"

namespace rivven::config {
namespace {

using testing::Parse;

// The datagen declaration from spec/connectors.md, plus a few keys to cover every type.
Schema DatagenLikeSchema() {
  Schema s;
  s.Add(Key("pattern", ValueType::kString, "Data pattern.")
            .Required()
            .OneOf({"orders", "users", "pageviews"}))
      .Add(Key("events_per_second", ValueType::kInt, "Rate.").Default("1").Min(1).Max(1000000))
      .Add(Key("max_events", ValueType::kInt, "0 = unlimited.").Default("0").Min(0))
      .Add(Key("stream_name", ValueType::kString, "Stream.").Default("datagen"))
      .Add(Key("seed", ValueType::kInt, "RNG seed."))
      .Add(Key("cdc_mode", ValueType::kBool, "CDC events.").Default("false"))
      .Add(Key("ratio", ValueType::kDouble, "A fraction.").Default("0.5").Min(0).Max(1))
      .Add(Key("tables", ValueType::kStringList, "Tables.").Default("[]"))
      .Add(Key("formats", ValueType::kStringList, "Formats.").OneOf({"json", "csv"}))
      .Add(Key("headers", ValueType::kStringMap, "Headers."))
      .Add(Key("password", ValueType::kString, "Password.").Secret())
      .Add(Key("pin", ValueType::kInt, "A secret number.").Secret().Min(1000))
      .Add(Key("plugin_config", ValueType::kAny, "Passed through."))
      .Add(Key("retry", ValueType::kObject, "Retry policy.")
               .Child(Key("max_attempts", ValueType::kInt, "Attempts.").Default("3").Min(1))
               .Child(Key("initial_backoff_ms", ValueType::kInt, "Backoff.").Default("1000")));
  return s;
}

BoundConfig BindText(const Schema& schema, const std::string& yaml, Diagnostics* diags) {
  Diagnostics parse_diags;
  const Node node = Parse(yaml, &parse_diags);
  EXPECT_TRUE(parse_diags.empty()) << parse_diags.Format();
  return Bind(schema, &node, "sources.demo.config", Mark{5, 5}, diags);
}

TEST(ConfigBind, ValuesAndDefaults) {
  Diagnostics diags;
  const BoundConfig c = BindText(DatagenLikeSchema(),
                                 "pattern: orders\n"
                                 "events_per_second: 10\n"
                                 "cdc_mode: YES\n"
                                 "ratio: 1\n"
                                 "tables: [a, b]\n"
                                 "headers:\n"
                                 "  Content-Type: application/json\n"
                                 "  Empty:\n"
                                 "plugin_config: {api_url: 'https://x'}\n"
                                 "retry:\n"
                                 "  max_attempts: 5\n",
                                 &diags);
  ASSERT_TRUE(diags.empty()) << diags.Format();
  EXPECT_EQ(c.GetString("pattern"), "orders");
  EXPECT_EQ(c.GetInt("events_per_second"), 10);
  EXPECT_TRUE(c.IsSet("events_per_second"));
  EXPECT_EQ(c.GetInt("max_events"), 0);
  EXPECT_TRUE(c.Has("max_events"));
  EXPECT_FALSE(c.IsSet("max_events"));
  EXPECT_EQ(c.GetString("stream_name"), "datagen");
  EXPECT_FALSE(c.Has("seed"));
  EXPECT_EQ(c.GetOptionalInt("seed"), std::nullopt);
  EXPECT_EQ(c.GetOptionalString("password"), std::nullopt);
  EXPECT_TRUE(c.GetBool("cdc_mode"));
  EXPECT_DOUBLE_EQ(c.GetDouble("ratio"), 1.0);
  EXPECT_DOUBLE_EQ(c.GetDouble("events_per_second"), 10.0);  // ints widen
  EXPECT_EQ(c.GetStringList("tables"), (std::vector<std::string>{"a", "b"}));
  const auto headers = c.GetStringMap("headers");
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[0], (std::pair<std::string, std::string>{"Content-Type", "application/json"}));
  EXPECT_EQ(headers[1].second, "");
  ASSERT_NE(c.Raw("plugin_config"), nullptr);
  EXPECT_EQ(c.Raw("plugin_config")->Find("api_url")->scalar, "https://x");
  EXPECT_EQ(c.Raw("seed"), nullptr);
  const BoundConfig retry = c.GetObject("retry");
  EXPECT_EQ(retry.path(), "sources.demo.config.retry");
  EXPECT_EQ(retry.GetInt("max_attempts"), 5);
  EXPECT_EQ(retry.GetInt("initial_backoff_ms"), 1000);
  EXPECT_EQ(c.path(), "sources.demo.config");
  EXPECT_EQ(c.MarkOf("events_per_second").line, 2);
  EXPECT_EQ(c.MarkOf("seed").line, 5);  // absent: the block's mark
}

TEST(ConfigBind, AbsentBlockUsesDefaultsAndReportsMissingAtBlockMark) {
  Diagnostics diags;
  const BoundConfig c = Bind(DatagenLikeSchema(), nullptr, "sources.demo.config", Mark{7, 5},
                             &diags);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.items()[0].path, "sources.demo.config");
  EXPECT_EQ(diags.items()[0].mark.line, 7);
  EXPECT_EQ(diags.items()[0].message, "missing required key 'pattern'");
  EXPECT_EQ(c.GetInt("events_per_second"), 1);
  // An absent object binds to its children's defaults.
  EXPECT_EQ(c.GetObject("retry").GetInt("max_attempts"), 3);
  EXPECT_TRUE(c.GetStringList("tables").empty());
}

TEST(ConfigBind, UnknownKeysGetDidYouMean) {
  Diagnostics diags;
  BindText(DatagenLikeSchema(),
           "pattern: orders\n"
           "evnets_per_second: 10\n"
           "zzz: 1\n"
           "retry:\n"
           "  max_atempts: 2\n",
           &diags);
  ASSERT_EQ(diags.size(), 3u) << diags.Format();
  EXPECT_EQ(diags.items()[0].path, "sources.demo.config.evnets_per_second");
  EXPECT_EQ(diags.items()[0].mark.line, 2);
  EXPECT_EQ(diags.items()[0].mark.column, 1);
  EXPECT_EQ(diags.items()[0].message,
            "unknown key 'evnets_per_second' (did you mean 'events_per_second'?)");
  EXPECT_EQ(diags.items()[1].message.rfind("unknown key 'zzz' (known keys: pattern, ", 0), 0u);
  EXPECT_EQ(diags.items()[2].path, "sources.demo.config.retry.max_atempts");
  EXPECT_EQ(diags.items()[2].message,
            "unknown key 'max_atempts' (did you mean 'max_attempts'?)");
}

TEST(ConfigBind, TypeErrors) {
  Diagnostics diags;
  const BoundConfig c = BindText(DatagenLikeSchema(),
                                 "pattern: [orders]\n"
                                 "events_per_second: ten\n"
                                 "max_events: 1.5\n"
                                 "cdc_mode: maybe\n"
                                 "ratio: half\n"
                                 "tables: {a: b}\n"
                                 "headers: [x]\n"
                                 "stream_name: {a: 1}\n"
                                 "retry: 3\n",
                                 &diags);
  ASSERT_EQ(diags.size(), 9u) << diags.Format();
  EXPECT_EQ(diags.items()[0].message, "expected a string, got a sequence");
  EXPECT_EQ(diags.items()[1].message, "expected an integer, got 'ten'");
  EXPECT_EQ(diags.items()[1].path, "sources.demo.config.events_per_second");
  EXPECT_EQ(diags.items()[1].mark.line, 2);
  EXPECT_EQ(diags.items()[1].mark.column, 20);  // the value
  EXPECT_EQ(diags.items()[2].message, "expected an integer, got '1.5'");
  EXPECT_EQ(diags.items()[3].message, "expected a boolean (true/false), got 'maybe'");
  EXPECT_EQ(diags.items()[4].message, "expected a number, got 'half'");
  EXPECT_EQ(diags.items()[5].message, "expected a list of strings, got a map");
  EXPECT_EQ(diags.items()[6].message, "expected a map of strings, got a sequence");
  EXPECT_EQ(diags.items()[7].message, "expected a string, got a map");
  EXPECT_EQ(diags.items()[8].message, "expected a map, got '3'");
  EXPECT_EQ(diags.items()[8].path, "sources.demo.config.retry");
  // Unusable values fall back to defaults so later checks can go on.
  EXPECT_EQ(c.GetInt("events_per_second"), 1);
  EXPECT_FALSE(c.IsSet("events_per_second"));
  EXPECT_EQ(c.GetString("stream_name"), "datagen");
}

TEST(ConfigBind, LenientScalars) {
  Diagnostics diags;
  const BoundConfig c = BindText(DatagenLikeSchema(),
                                 "pattern: orders\n"
                                 "events_per_second: \"10\"\n"  // quoted int is still an int
                                 "max_events: 0x10\n"
                                 "cdc_mode: Off\n"
                                 "tables: orders\n"  // one scalar is a list of one
                                 "stream_name: 123\n",
                                 &diags);
  ASSERT_TRUE(diags.empty()) << diags.Format();
  EXPECT_EQ(c.GetInt("events_per_second"), 10);
  EXPECT_EQ(c.GetInt("max_events"), 16);
  EXPECT_FALSE(c.GetBool("cdc_mode"));
  EXPECT_EQ(c.GetStringList("tables"), std::vector<std::string>{"orders"});
  EXPECT_EQ(c.GetString("stream_name"), "123");
}

TEST(ConfigBind, BoundsAreInclusive) {
  Diagnostics ok;
  BindText(DatagenLikeSchema(), "pattern: users\nevents_per_second: 1\nratio: 0\nmax_events: 0\n",
           &ok);
  BindText(DatagenLikeSchema(), "pattern: users\nevents_per_second: 1000000\nratio: 1.0\n", &ok);
  EXPECT_TRUE(ok.empty()) << ok.Format();

  Diagnostics diags;
  BindText(DatagenLikeSchema(),
           "pattern: users\n"
           "events_per_second: 0\n"
           "max_events: -1\n"
           "ratio: 1.5\n"
           "retry: {max_attempts: 0}\n"
           "seed: 99999999999999999999\n",
           &diags);
  ASSERT_EQ(diags.size(), 5u) << diags.Format();
  EXPECT_EQ(diags.items()[0].message, "must be between 1 and 1000000, got 0");
  EXPECT_EQ(diags.items()[1].message, "must be at least 0, got -1");
  EXPECT_EQ(diags.items()[2].message, "must be between 0 and 1, got 1.5");
  EXPECT_EQ(diags.items()[3].path, "sources.demo.config.retry.max_attempts");
  EXPECT_EQ(diags.items()[3].message, "must be at least 1, got 0");
  EXPECT_EQ(diags.items()[4].message, "expected an integer, got '99999999999999999999'");
}

TEST(ConfigBind, AllowedValues) {
  Diagnostics diags;
  BindText(DatagenLikeSchema(), "pattern: ordres\nformats: [json, xml]\n", &diags);
  ASSERT_EQ(diags.size(), 2u) << diags.Format();
  EXPECT_EQ(diags.items()[0].message,
            "invalid value 'ordres': must be one of: orders, users, pageviews "
            "(did you mean 'orders'?)");
  EXPECT_EQ(diags.items()[1].path, "sources.demo.config.formats[1]");
  EXPECT_EQ(diags.items()[1].message, "invalid value 'xml': must be one of: json, csv");
}

TEST(ConfigBind, MissingAndNullRequiredKeys) {
  Diagnostics diags;
  BindText(DatagenLikeSchema(), "pattern:\nretry: {}\n", &diags);
  ASSERT_EQ(diags.size(), 1u) << diags.Format();
  EXPECT_EQ(diags.items()[0].path, "sources.demo.config.pattern");
  EXPECT_EQ(diags.items()[0].message, "required key 'pattern' has no value");

  Schema nested;
  nested.Add(Key("tls", ValueType::kObject, "TLS.")
                 .Child(Key("cert_path", ValueType::kString, "Cert.").Required()));
  Diagnostics absent;
  Bind(nested, nullptr, "x", Mark{1, 1}, &absent);
  EXPECT_TRUE(absent.empty()) << "an optional object that is not written requires nothing";
  Diagnostics given;
  const Node node = Parse("tls:\n  enabled_typo: true\n", &given);
  Bind(nested, &node, "x", Mark{1, 1}, &given);
  ASSERT_EQ(given.size(), 2u) << given.Format();
  EXPECT_EQ(given.items()[1].path, "x.tls");
  EXPECT_EQ(given.items()[1].message, "missing required key 'cert_path'");
}

TEST(ConfigBind, SecretsAreNeverPrinted) {
  Diagnostics diags;
  BindText(DatagenLikeSchema(),
           "pattern: orders\n"
           "password: [hunter2]\n"
           "pin: 12\n",
           &diags);
  Diagnostics not_int;
  BindText(DatagenLikeSchema(), "pattern: orders\npin: hunter2\n", &not_int);
  Schema allowed;
  allowed.Add(Key("token", ValueType::kString, "Token.").Secret().OneOf({"a", "b"}));
  const Node node = Parse("token: hunter2\n", &diags);
  Bind(allowed, &node, "s", Mark{}, &diags);
  for (const Diagnostics* d : {&diags, &not_int}) {
    const std::string text = d->Format();
    EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
    EXPECT_EQ(text.find("12"), std::string::npos) << text;
  }
  EXPECT_EQ(not_int.items()[0].message, "expected an integer, got '***'");
  EXPECT_EQ(diags.size(), 3u) << diags.Format();
  EXPECT_EQ(diags.items()[1].message, "must be at least 1000, got ***");
  EXPECT_EQ(diags.items()[2].message, "invalid value '***': must be one of: a, b");
}

TEST(ConfigBind, NonMapBlock) {
  Diagnostics diags;
  const Node node = Parse("[1, 2]\n", &diags);
  const BoundConfig c = Bind(DatagenLikeSchema(), &node, "sources.demo.config", Mark{3, 5},
                             &diags);
  ASSERT_EQ(diags.size(), 2u) << diags.Format();
  EXPECT_EQ(diags.items()[0].message, "expected a map, got a sequence");
  EXPECT_EQ(diags.items()[1].message, "missing required key 'pattern'");
  EXPECT_EQ(c.GetInt("events_per_second"), 1);
}

TEST(ConfigBind, CopiesShareTheValues) {
  Diagnostics diags;
  const BoundConfig c = BindText(DatagenLikeSchema(), "pattern: users\n", &diags);
  BoundConfig copy = c;
  EXPECT_EQ(copy.GetString("pattern"), "users");
  BoundConfig moved = std::move(copy);
  EXPECT_EQ(moved.GetString("pattern"), "users");
  BoundConfig assigned;
  assigned = moved;
  EXPECT_EQ(assigned.path(), "sources.demo.config");
}

TEST(ConfigBindDeathTest, UndeclaredKeyOrWrongTypeAsserts) {
  Diagnostics diags;
  const BoundConfig c = BindText(DatagenLikeSchema(), "pattern: users\n", &diags);
  EXPECT_DEATH((void)c.GetString("no_such_key"), "not declared");
  EXPECT_DEATH((void)c.GetInt("pattern"), "wrong type");
  EXPECT_DEATH((void)c.GetBool("events_per_second"), "wrong type");
}

TEST(ConfigScalars, Parsing) {
  EXPECT_EQ(ParseYamlInt("-42"), -42);
  EXPECT_EQ(ParseYamlInt("+7"), 7);
  EXPECT_EQ(ParseYamlInt("0o17"), 15);
  EXPECT_EQ(ParseYamlInt("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(ParseYamlInt("9223372036854775808"), std::nullopt);
  EXPECT_EQ(ParseYamlInt("1e3"), std::nullopt);
  EXPECT_EQ(ParseYamlInt(""), std::nullopt);
  EXPECT_EQ(ParseYamlDouble("1.5e3"), 1500.0);
  EXPECT_EQ(ParseYamlDouble(".5"), 0.5);
  EXPECT_EQ(ParseYamlDouble("-2"), -2.0);
  EXPECT_EQ(ParseYamlDouble("inf"), std::nullopt);
  EXPECT_EQ(ParseYamlDouble("nan"), std::nullopt);
  EXPECT_EQ(ParseYamlBool("ON"), true);
  EXPECT_EQ(ParseYamlBool("No"), false);
  EXPECT_EQ(ParseYamlBool("1"), std::nullopt);
  EXPECT_EQ(SplitCommaList(" a, b ,,c "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(SplitCommaList("[x, y]"), (std::vector<std::string>{"x", "y"}));
  EXPECT_TRUE(SplitCommaList("[]").empty());
  EXPECT_EQ(FormatNumber(1048576), "1048576");
  EXPECT_EQ(FormatNumber(-1), "-1");
  EXPECT_EQ(FormatNumber(0.25), "0.25");
}

}  // namespace
}  // namespace rivven::config
