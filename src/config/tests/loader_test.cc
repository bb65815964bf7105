#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "config/pipeline_config.h"
#include "config/tests/test_util.h"
#include "config/variables.h"

namespace rivven::config {
namespace {

using testing::MapEnv;
using testing::Parse;

TEST(ConfigLoader, MarksAreOneBasedLineAndColumn) {
  Diagnostics diags;
  const Node root = Parse(
      "version: \"1.0\"\n"
      "sources:\n"
      "  demo:\n"
      "    connector: datagen\n"
      "    topics: [a, b]\n",
      &diags);
  ASSERT_TRUE(diags.empty()) << diags.Format();
  ASSERT_TRUE(root.IsMap());
  EXPECT_EQ(root.KeyMark("version").line, 1);
  EXPECT_EQ(root.KeyMark("version").column, 1);
  EXPECT_EQ(root.Find("version")->mark.line, 1);
  EXPECT_EQ(root.Find("version")->mark.column, 10);
  const Node* demo = root.Find("sources")->Find("demo");
  ASSERT_NE(demo, nullptr);
  EXPECT_EQ(root.Find("sources")->KeyMark("demo").line, 3);
  EXPECT_EQ(root.Find("sources")->KeyMark("demo").column, 3);
  EXPECT_EQ(demo->KeyMark("connector").line, 4);
  EXPECT_EQ(demo->KeyMark("connector").column, 5);
  EXPECT_EQ(demo->Find("connector")->mark.column, 16);
  const Node* topics = demo->Find("topics");
  ASSERT_TRUE(topics->IsSequence());
  ASSERT_EQ(topics->items.size(), 2u);
  EXPECT_EQ(topics->items[1].mark.line, 5);
  EXPECT_EQ(topics->items[1].mark.column, 17);
  // A missing key falls back to the map's own mark.
  EXPECT_EQ(demo->KeyMark("nope").line, demo->mark.line);
}

TEST(ConfigLoader, ScalarsKeepHowTheyWereWritten) {
  Diagnostics diags;
  const Node root = Parse(
      "plain: 1\n"
      "double: \"1\"\n"
      "single: '1'\n"
      "tagged: !!str 1\n"
      "block: |\n"
      "  text\n"
      "tilde: ~\n"
      "word_null: null\n"
      "empty:\n"
      "last: x\n",
      &diags);
  ASSERT_TRUE(diags.empty()) << diags.Format();
  EXPECT_FALSE(root.Find("plain")->quoted);
  EXPECT_TRUE(root.Find("double")->quoted);
  EXPECT_EQ(root.Find("double")->scalar, "1");
  EXPECT_TRUE(root.Find("single")->quoted);
  EXPECT_TRUE(root.Find("tagged")->quoted);
  EXPECT_EQ(root.Find("block")->scalar, "text\n");
  EXPECT_TRUE(root.Find("tilde")->IsNull());
  EXPECT_TRUE(root.Find("word_null")->IsNull());
  EXPECT_TRUE(root.Find("empty")->IsNull());
  // An empty value points at its key's line, not at the next key.
  EXPECT_EQ(root.Find("empty")->mark.line, 9);
  ASSERT_EQ(root.entries.size(), 9u);
  EXPECT_EQ(root.entries[8].first, "last");  // file order
}

TEST(ConfigLoader, EmptyDocumentIsNull) {
  Diagnostics diags;
  std::optional<Node> root = ParseYaml("# only a comment\n", MapEnv({}), &diags);
  ASSERT_TRUE(root.has_value());
  EXPECT_TRUE(root->IsNull());
  EXPECT_TRUE(diags.empty());
  root = ParseYaml("", MapEnv({}), &diags);
  ASSERT_TRUE(root.has_value());
  EXPECT_TRUE(root->IsNull());
}

TEST(ConfigLoader, MalformedYamlIsOneDiagnosticWithPosition) {
  Diagnostics diags;
  EXPECT_FALSE(ParseYaml("a: 1\nb: c: d\n", MapEnv({}), &diags).has_value());
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.items()[0].mark.line, 2);
  EXPECT_EQ(diags.items()[0].mark.column, 5);
  EXPECT_NE(diags.items()[0].message.find("invalid YAML: illegal map value"), std::string::npos);

  Diagnostics flow;
  EXPECT_FALSE(ParseYaml("a: [1, 2\n", MapEnv({}), &flow).has_value());
  ASSERT_EQ(flow.size(), 1u);  // yaml-cpp notices the missing ']' at the end of the text
  EXPECT_EQ(flow.items()[0].mark.line, 2);
  EXPECT_NE(flow.items()[0].message.find("end of sequence flow not found"), std::string::npos);
}

TEST(ConfigLoader, DuplicateKeysAreErrors) {
  Diagnostics diags;
  const Node root = Parse(
      "sources:\n"
      "  demo:\n"
      "    topic: a\n"
      "    topic: b\n"
      "  demo:\n"
      "    topic: c\n",
      &diags);
  ASSERT_EQ(diags.size(), 2u) << diags.Format();
  EXPECT_EQ(diags.items()[0].path, "sources.demo.topic");
  EXPECT_EQ(diags.items()[0].mark.line, 4);
  EXPECT_EQ(diags.items()[0].message, "duplicate key 'topic' (first defined at line 3)");
  EXPECT_EQ(diags.items()[1].path, "sources.demo");
  EXPECT_EQ(diags.items()[1].mark.line, 5);
  // The first definition wins.
  EXPECT_EQ(root.Find("sources")->Find("demo")->Find("topic")->scalar, "a");
  EXPECT_EQ(root.Find("sources")->entries.size(), 1u);
}

TEST(ConfigLoader, AnchorsAndAliasesCopyTheNode) {
  Diagnostics diags;
  const Node root = Parse(
      "base: &conn {host: db, port: 5432}\n"
      "copy: *conn\n"
      "items: [&x one, *x]\n",
      &diags);
  ASSERT_TRUE(diags.empty()) << diags.Format();
  ASSERT_TRUE(root.Find("copy")->IsMap());
  EXPECT_EQ(root.Find("copy")->Find("port")->scalar, "5432");
  EXPECT_EQ(root.Find("items")->items[1].scalar, "one");
}

TEST(ConfigLoader, AliasExpansionIsBounded) {
  // Each level doubles: 2^20 copies of the innermost list if nothing stopped it.
  std::string yaml = "l0: &l0 [x, x]\n";
  for (int i = 1; i <= 20; ++i) {
    yaml += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [*l" +
            std::to_string(i - 1) + ", *l" + std::to_string(i - 1) + "]\n";
  }
  Diagnostics diags;
  Parse(yaml, &diags);
  ASSERT_EQ(diags.size(), 1u) << diags.Format();
  EXPECT_NE(diags.items()[0].message.find("aliases expand to more than"), std::string::npos);
}

TEST(ConfigLoader, SecondDocumentIsAnError) {
  Diagnostics diags;
  const Node root = Parse("a: 1\n---\nb: 2\n", &diags);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.items()[0].mark.line, 2);
  EXPECT_EQ(root.Find("a")->scalar, "1");
}

TEST(ConfigVariables, PlainAndDefaultForms) {
  Diagnostics diags;
  const Node root = Parse(
      "password: ${DB_PASSWORD}\n"
      "api_key: ${API_KEY:-default_value}\n"
      "with_set: ${SET:-unused}\n"
      "empty_default: ${EMPTY:-fallback}\n"
      "empty_plain: ${EMPTY}\n"
      "empty_literal_default: ${UNSET:-}\n"
      "port: ${PORT}\n",
      &diags,
      MapEnv({{"DB_PASSWORD", "s3cret"}, {"SET", "given"}, {"EMPTY", ""}, {"PORT", "5432"}}));
  ASSERT_TRUE(diags.empty()) << diags.Format();
  EXPECT_EQ(root.Find("password")->scalar, "s3cret");
  EXPECT_EQ(root.Find("api_key")->scalar, "default_value");
  EXPECT_EQ(root.Find("with_set")->scalar, "given");
  EXPECT_EQ(root.Find("empty_default")->scalar, "fallback");  // like the shell's :-
  EXPECT_EQ(root.Find("empty_plain")->scalar, "");
  EXPECT_TRUE(root.Find("empty_plain")->IsScalar());
  EXPECT_EQ(root.Find("empty_literal_default")->scalar, "");
  EXPECT_EQ(root.Find("port")->scalar, "5432");
  EXPECT_FALSE(root.Find("port")->quoted);  // still usable as a number
}

TEST(ConfigVariables, SeveralPerValueAndEscapes) {
  Diagnostics diags;
  const Node root = Parse(
      "auth: \"Bearer ${TOKEN}\"\n"
      "url: http://${HOST}:${PORT:-80}/x\n"
      "literal: \"$${NOT_A_VAR} and $$ and $x\"\n"
      "mixed: \"$${A}${A}\"\n",
      &diags, MapEnv({{"TOKEN", "t0k"}, {"HOST", "example.com"}, {"A", "a"}}));
  ASSERT_TRUE(diags.empty()) << diags.Format();
  EXPECT_EQ(root.Find("auth")->scalar, "Bearer t0k");
  EXPECT_EQ(root.Find("url")->scalar, "http://example.com:80/x");
  EXPECT_EQ(root.Find("literal")->scalar, "${NOT_A_VAR} and $$ and $x");
  EXPECT_EQ(root.Find("mixed")->scalar, "${A}a");
}

TEST(ConfigVariables, UnsetWithoutDefaultNamesVariablePathAndKey) {
  Diagnostics diags("p.yaml");
  Parse(
      "sources:\n"
      "  api:\n"
      "    config:\n"
      "      headers:\n"
      "        Authorization: \"Bearer ${API_TOKEN} ${OTHER}\"\n"
      "      tables:\n"
      "        - ${TABLE}\n",
      &diags);
  ASSERT_EQ(diags.size(), 3u) << diags.Format();
  EXPECT_EQ(diags.items()[0].path, "sources.api.config.headers.Authorization");
  EXPECT_EQ(diags.items()[0].mark.line, 5);
  EXPECT_EQ(diags.items()[0].mark.column, 9);  // the key
  EXPECT_NE(diags.items()[0].message.find("'API_TOKEN' is not set"), std::string::npos);
  EXPECT_NE(diags.items()[1].message.find("'OTHER' is not set"), std::string::npos);
  EXPECT_EQ(diags.items()[2].path, "sources.api.config.tables[0]");
  EXPECT_EQ(diags.items()[2].mark.line, 7);
  EXPECT_NE(diags.Format().find("p.yaml:5:9: error: sources.api.config.headers.Authorization: "
                                "environment variable 'API_TOKEN' is not set"),
            std::string::npos);
}

TEST(ConfigVariables, NotExpandedInKeysOrComments) {
  Diagnostics diags;
  const Node root = Parse(
      "# ${IN_COMMENT} is not looked up\n"
      "${KEY}: value  # nor ${HERE}\n",
      &diags);
  ASSERT_TRUE(diags.empty()) << diags.Format();
  ASSERT_EQ(root.entries.size(), 1u);
  EXPECT_EQ(root.entries[0].first, "${KEY}");
  EXPECT_EQ(root.entries[0].second.scalar, "value");
}

TEST(ConfigVariables, MalformedReferences) {
  std::vector<std::string> errors;
  EXPECT_EQ(ExpandVariables("a ${UNCLOSED", MapEnv({}), &errors), "a ${UNCLOSED");
  EXPECT_EQ(ExpandVariables("${1BAD}", MapEnv({}), &errors), "");
  EXPECT_EQ(ExpandVariables("${}", MapEnv({}), &errors), "");
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_NE(errors[0].find("unterminated"), std::string::npos);
  EXPECT_NE(errors[1].find("invalid variable reference '${1BAD}'"), std::string::npos);
}

TEST(ConfigVariables, ProcessEnvReadsTheEnvironment) {
  ::setenv("RIVVEN_CONFIG_TEST_VAR", "from-env", 1);
  ::unsetenv("RIVVEN_CONFIG_TEST_UNSET");
  const EnvLookup env = ProcessEnv();
  EXPECT_EQ(env("RIVVEN_CONFIG_TEST_VAR"), std::optional<std::string>("from-env"));
  EXPECT_EQ(env("RIVVEN_CONFIG_TEST_UNSET"), std::nullopt);
}

TEST(ConfigLoader, LoadPipelineConfigReportsUnreadableFile) {
  Diagnostics diags("/nonexistent/rivven.yaml");
  const PipelineConfig config =
      LoadPipelineConfig("/nonexistent/rivven.yaml", MapEnv({}), &diags);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.items()[0].message,
            "cannot read config file '/nonexistent/rivven.yaml': No such file or directory");
  EXPECT_EQ(config.file, "/nonexistent/rivven.yaml");

  Diagnostics dir_diags;
  LoadPipelineConfig("/", MapEnv({}), &dir_diags);
  ASSERT_EQ(dir_diags.size(), 1u);
  EXPECT_NE(dir_diags.items()[0].message.find("Is a directory"), std::string::npos);
}

TEST(ConfigLoader, LoadPipelineConfigReadsAFile) {
  char path[] = "/tmp/rivven-config-test-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  {
    std::ofstream out(path);
    out << "version: \"1.0\"\nsources:\n  demo:\n    connector: datagen\n    topic: t\n"
           "    config:\n      seed: ${SEED}\n";
  }
  Diagnostics diags(path);
  const PipelineConfig config = LoadPipelineConfig(path, MapEnv({{"SEED", "42"}}), &diags);
  std::remove(path);
  ASSERT_TRUE(diags.empty()) << diags.Format();
  EXPECT_EQ(config.file, path);
  ASSERT_EQ(config.sources.size(), 1u);
  EXPECT_EQ(config.sources[0].config.Find("seed")->scalar, "42");
}

}  // namespace
}  // namespace rivven::config
