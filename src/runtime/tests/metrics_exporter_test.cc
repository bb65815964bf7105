// Prometheus exposition of runner statuses, checked by a strict text-format parser — which is
// itself tested here against malformed input.
#include "runtime/metrics_exporter.h"

#include <unistd.h>

#include <ctime>

#include <gtest/gtest.h>

#include "base/version.h"
#include "runtime/runner_status.h"
#include "support/prometheus_parser.h"

namespace rivven {
namespace {

using testing::Exposition;
using testing::Labels;
using testing::ParsePrometheusText;

ProcessMetrics FixedProcess() {
  ProcessMetrics p;
  p.available = true;
  p.cpu_seconds = 1.25;
  p.resident_memory_bytes = 1 << 20;
  p.virtual_memory_bytes = 8 << 20;
  p.start_time_seconds = 1700000000.5;
  p.open_fds = 12;
  p.max_fds = 1024;
  p.threads = 7;
  return p;
}

Exposition ParseOrFail(const std::string& text) {
  Exposition e;
  std::string error;
  EXPECT_TRUE(ParsePrometheusText(text, &e, &error)) << error << "\n" << text;
  return e;
}

class MetricsExporterTest : public ::testing::Test {
 protected:
  Notifier notifier_;
  RunnerStatus source_{notifier_, RunnerKind::kSource, "gen", "datagen"};
  RunnerStatus sink_{notifier_, RunnerKind::kSink, "out", "file"};
  std::vector<RunnerStatus*> statuses_{&source_, &sink_};
};

TEST_F(MetricsExporterTest, EveryFamilyParsesStrictlyWithItsValues) {
  source_.SetPhase(RunnerPhase::kRunning);
  sink_.SetPhase(RunnerPhase::kRunning);
  source_.records = 1000;
  source_.bytes = 64000;
  source_.errors = 2;
  source_.retries = 3;
  source_.restarts = 1;
  source_.throttled_ns = 1'500'000'000;
  source_.SetPosition("{\"offset\":42}");
  source_.progress_done = 250;
  source_.progress_total = 1000;
  source_.SetProgressUnit("rows");
  sink_.records = 900;
  sink_.skipped = 4;
  sink_.dead_lettered = 5;
  sink_.lag = 100;
  sink_.SetHealthy(false, "restarting");

  const Exposition e = ParseOrFail(RenderPrometheus(statuses_, FixedProcess()));
  const Labels gen = {{"connector", "gen"}, {"type", "datagen"}, {"kind", "source"}};
  const Labels out = {{"connector", "out"}, {"type", "file"}, {"kind", "sink"}};
  EXPECT_EQ(e.Value("rivven_build_info", {{"version", kVersion}}), 1);
  EXPECT_EQ(e.Value("rivven_connector_info", {{"connector", "gen"}, {"phase", "running"}}), 1);
  EXPECT_EQ(e.Value("rivven_connector_up", gen), 1);
  EXPECT_EQ(e.Value("rivven_connector_up", out), 0);
  EXPECT_EQ(e.Value("rivven_connector_records_total", gen), 1000);
  EXPECT_EQ(e.Value("rivven_connector_records_total", out), 900);
  EXPECT_EQ(e.Value("rivven_connector_bytes_total", gen), 64000);
  EXPECT_EQ(e.Value("rivven_connector_errors_total", gen), 2);
  EXPECT_EQ(e.Value("rivven_connector_retries_total", gen), 3);
  EXPECT_EQ(e.Value("rivven_connector_restarts_total", gen), 1);
  EXPECT_EQ(e.Value("rivven_connector_skipped_total", out), 4);
  EXPECT_EQ(e.Value("rivven_connector_dead_letter_total", out), 5);
  EXPECT_EQ(e.Value("rivven_connector_throttled_seconds_total", gen), 1.5);
  EXPECT_EQ(e.Value("rivven_connector_lag_records", out), 100);
  EXPECT_EQ(e.Value("rivven_source_position_info",
                    {{"connector", "gen"}, {"type", "datagen"}, {"position", "{\"offset\":42}"}}),
            1);
  EXPECT_EQ(e.Value("rivven_source_progress_done", {{"connector", "gen"}, {"unit", "rows"}}), 250);
  EXPECT_EQ(e.Value("rivven_source_progress_expected", {{"connector", "gen"}}), 1000);
  EXPECT_EQ(e.Value("process_cpu_seconds_total"), 1.25);
  EXPECT_EQ(e.Value("process_resident_memory_bytes"), 1 << 20);
  EXPECT_EQ(e.Value("process_virtual_memory_bytes"), 8 << 20);
  EXPECT_EQ(e.Value("process_start_time_seconds"), 1700000000.5);
  EXPECT_EQ(e.Value("process_open_fds"), 12);
  EXPECT_EQ(e.Value("process_max_fds"), 1024);
  EXPECT_EQ(e.Value("process_threads"), 7);

  const struct {
    const char* name;
    const char* type;
  } kFamilies[] = {
      {"rivven_connector_records_total", "counter"},
      {"rivven_connector_dead_letter_total", "counter"},
      {"rivven_connector_up", "gauge"},
      {"rivven_connector_lag_records", "gauge"},
      {"rivven_connector_batch_latency_seconds", "histogram"},
      {"process_cpu_seconds_total", "counter"},
  };
  for (const auto& f : kFamilies) {
    const testing::Family* family = e.Find(f.name);
    ASSERT_NE(family, nullptr) << f.name;
    EXPECT_EQ(family->type, f.type) << f.name;
    EXPECT_TRUE(family->has_help) << f.name;
  }
}

TEST_F(MetricsExporterTest, CounterLinesGolden) {
  source_.records = 7;
  const std::string text = RenderPrometheus({&source_}, ProcessMetrics{});
  EXPECT_NE(text.find("# HELP rivven_connector_records_total Records produced durably (sources) "
                      "or written and committed (sinks).\n"
                      "# TYPE rivven_connector_records_total counter\n"
                      "rivven_connector_records_total{connector=\"gen\",type=\"datagen\","
                      "kind=\"source\"} 7\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rivven_connector_info{connector=\"gen\",type=\"datagen\",kind=\"source\","
                      "phase=\"starting\"} 1\n"),
            std::string::npos)
      << text;
}

TEST_F(MetricsExporterTest, HistogramIsCumulativeWithInfEqualToCount) {
  sink_.batch_latency.Observe(0.0003);  // first bucket (le 0.0005)
  sink_.batch_latency.Observe(0.003);   // le 0.005
  sink_.batch_latency.Observe(0.003);
  sink_.batch_latency.Observe(120);  // beyond the last bound: only +Inf
  const std::string text = RenderPrometheus({&sink_}, ProcessMetrics{});
  const Exposition e = ParseOrFail(text);
  const Labels out = {{"connector", "out"}, {"kind", "sink"}};
  const auto bucket = [&](const char* le) {
    Labels l = out;
    l["le"] = le;
    return e.Value("rivven_connector_batch_latency_seconds_bucket", l);
  };
  EXPECT_EQ(bucket("0.0005"), 1);
  EXPECT_EQ(bucket("0.001"), 1);
  EXPECT_EQ(bucket("0.0025"), 1);
  EXPECT_EQ(bucket("0.005"), 3);
  EXPECT_EQ(bucket("60"), 3);
  EXPECT_EQ(bucket("+Inf"), 4);
  EXPECT_EQ(e.Value("rivven_connector_batch_latency_seconds_count", out), 4);
  EXPECT_NEAR(*e.Value("rivven_connector_batch_latency_seconds_sum", out), 120.0063, 1e-6);
  EXPECT_EQ(e.Find("rivven_connector_batch_latency_seconds")->samples.size(),
            LatencyHistogram::kBounds.size() + 3);
}

TEST_F(MetricsExporterTest, LabelValuesAreEscapedAndRoundTrip) {
  Notifier n;
  const std::string name = "we\"ird\\name\nline2";
  RunnerStatus odd(n, RunnerKind::kSource, name, "data\"gen");
  const std::string position = "{\"file\":\"C:\\\\logs\\\\a.log\",\n\"line\":3}";
  odd.SetPosition(position);
  const std::string text = RenderPrometheus({&odd}, ProcessMetrics{});
  EXPECT_NE(text.find("connector=\"we\\\"ird\\\\name\\nline2\""), std::string::npos) << text;
  const Exposition e = ParseOrFail(text);
  EXPECT_EQ(e.Value("rivven_connector_records_total", {{"connector", name}, {"type", "data\"gen"}}),
            0);
  EXPECT_EQ(e.Value("rivven_source_position_info", {{"position", position}}), 1);
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(EscapeLabelValue("plain ü"), "plain ü");
}

TEST_F(MetricsExporterTest, PositionAndProgressOnlyWhereReported) {
  sink_.SetPosition("ignored for sinks");
  const std::string text = RenderPrometheus(statuses_, ProcessMetrics{});
  EXPECT_EQ(text.find("rivven_source_position_info"), std::string::npos) << text;
  EXPECT_EQ(text.find("rivven_source_progress"), std::string::npos) << text;
  EXPECT_EQ(text.find("process_"), std::string::npos) << text;  // not available
  ParseOrFail(text);
}

TEST_F(MetricsExporterTest, NoStatusesGivesOnlyProcessAndBuildInfo) {
  const Exposition e = ParseOrFail(RenderPrometheus({}, FixedProcess()));
  for (const auto& f : e.families) {
    EXPECT_TRUE(f.name == "rivven_build_info" || f.name.rfind("process_", 0) == 0) << f.name;
    EXPECT_FALSE(f.samples.empty()) << f.name;
  }
}

TEST_F(MetricsExporterTest, OutputIsDeterministic) {
  source_.records = 5;
  sink_.batch_latency.Observe(0.2);
  const std::string a = RenderPrometheus(statuses_, FixedProcess());
  EXPECT_EQ(a, RenderPrometheus(statuses_, FixedProcess()));
  // Families keep one fixed order; samples follow the statuses' order.
  EXPECT_LT(a.find("rivven_connector_info{connector=\"gen\""),
            a.find("rivven_connector_info{connector=\"out\""));
  EXPECT_LT(a.find("# TYPE rivven_connector_records_total"),
            a.find("# TYPE rivven_connector_bytes_total"));
}

TEST_F(MetricsExporterTest, ConnectorGaugesAreFamiliesSortedByNameWithConnectorLabels) {
  Notifier n;
  RunnerStatus other(n, RunnerKind::kSource, "pg2", "postgres-cdc");
  (void)source_.SetGauges({{"zz_last", "Sorts last.", 1},
                           {"postgres_slot_lag_bytes", "Bytes of WAL the slot retains.", 4096}});
  (void)source_.SetGauges({{"postgres_slot_lag_bytes", "Bytes of WAL the slot retains.", 512}});
  (void)other.SetGauges({{"postgres_slot_lag_bytes", "Other help.", 1.5},
                         {"help_escaped", "Back\\slash and\nnewline.", 0}});
  const std::vector<RunnerStatus*> statuses{&source_, &sink_, &other};
  const std::string text = RenderPrometheus(statuses, FixedProcess());
  EXPECT_NE(text.find("# HELP rivven_postgres_slot_lag_bytes Bytes of WAL the slot retains.\n"
                      "# TYPE rivven_postgres_slot_lag_bytes gauge\n"
                      "rivven_postgres_slot_lag_bytes{connector=\"gen\",type=\"datagen\","
                      "kind=\"source\"} 512\n"
                      "rivven_postgres_slot_lag_bytes{connector=\"pg2\",type=\"postgres-cdc\","
                      "kind=\"source\"} 1.5\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# HELP rivven_help_escaped Back\\\\slash and\\nnewline.\n"),
            std::string::npos)
      << text;
  // Sorted by name, after the runtime's own families and before process_*.
  EXPECT_LT(text.find("# TYPE rivven_connector_batch_latency_seconds"),
            text.find("# TYPE rivven_help_escaped"));
  EXPECT_LT(text.find("# TYPE rivven_help_escaped"),
            text.find("# TYPE rivven_postgres_slot_lag_bytes"));
  EXPECT_LT(text.find("# TYPE rivven_postgres_slot_lag_bytes"), text.find("# TYPE rivven_zz_last"));
  EXPECT_LT(text.find("# TYPE rivven_zz_last"), text.find("# TYPE process_"));
  EXPECT_EQ(text, RenderPrometheus(statuses, FixedProcess()));

  const Exposition e = ParseOrFail(text);
  const testing::Family* family = e.Find("rivven_postgres_slot_lag_bytes");
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(family->type, "gauge");
  EXPECT_EQ(family->help, "Bytes of WAL the slot retains.");
  EXPECT_EQ(family->samples.size(), 2u);
  EXPECT_EQ(e.Value("rivven_postgres_slot_lag_bytes",
                    {{"connector", "gen"}, {"type", "datagen"}, {"kind", "source"}}),
            512);
  EXPECT_EQ(e.Value("rivven_zz_last", {{"connector", "gen"}}), 1);
  EXPECT_EQ(e.Value("rivven_zz_last", {{"connector", "pg2"}}), std::nullopt);
  EXPECT_EQ(e.Find("rivven_help_escaped")->help, "Back\\slash and\nnewline.");
}

TEST_F(MetricsExporterTest, ConnectorCountersAndHistogramsCarryTheirLabels) {
  ConnectorMetrics& m = sink_.connector_metrics;
  m.Counter("http_requests_total", "HTTP requests.", "status_class", "2xx") += 7;
  m.Counter("http_requests_total", "HTTP requests.", "status_class", "5xx") += 2;
  m.Counter("http_retries_total", "Retries.") += 2;
  LatencyHistogram& h = m.Histogram("http_request_duration_seconds", "Request time.");
  h.Observe(0.002);
  h.Observe(0.2);
  const std::string text = RenderPrometheus(statuses_, FixedProcess());
  const Exposition e = ParseOrFail(text);
  const testing::Family* requests = e.Find("rivven_http_requests_total");
  ASSERT_NE(requests, nullptr) << text;
  EXPECT_EQ(requests->type, "counter");
  EXPECT_EQ(e.Value("rivven_http_requests_total",
                    {{"connector", "out"}, {"type", "file"}, {"kind", "sink"}, {"status_class", "2xx"}}),
            7);
  EXPECT_EQ(e.Value("rivven_http_requests_total", {{"status_class", "5xx"}}), 2);
  EXPECT_EQ(e.Value("rivven_http_retries_total", {{"connector", "out"}}), 2);
  const testing::Family* latency = e.Find("rivven_http_request_duration_seconds");
  ASSERT_NE(latency, nullptr);
  EXPECT_EQ(latency->type, "histogram");
  EXPECT_EQ(e.Value("rivven_http_request_duration_seconds_count", {{"connector", "out"}}), 2);
  EXPECT_EQ(e.Value("rivven_http_request_duration_seconds_bucket", {{"le", "0.0025"}}), 1);
  EXPECT_EQ(e.Value("rivven_http_request_duration_seconds_bucket", {{"le", "+Inf"}}), 2);
}

TEST_F(MetricsExporterTest, NoGaugesNoGaugeFamilies) {
  const Exposition e = ParseOrFail(RenderPrometheus(statuses_, ProcessMetrics{}));
  for (const auto& f : e.families) {
    EXPECT_TRUE(f.name.rfind("rivven_connector_", 0) == 0 || f.name == "rivven_build_info")
        << f.name;
  }
}

TEST(FormatSampleValueTest, ShortestRoundTrip) {
  EXPECT_EQ(FormatSampleValue(0.0005), "0.0005");
  EXPECT_EQ(FormatSampleValue(1.0), "1");
  EXPECT_EQ(FormatSampleValue(60), "60");
  EXPECT_EQ(FormatSampleValue(1.5), "1.5");
  EXPECT_EQ(FormatSampleValue(1700000000.5), "1700000000.5");
  EXPECT_EQ(FormatSampleValue(1.0 / 0.0), "+Inf");
  EXPECT_EQ(FormatSampleValue(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(FormatSampleValue(0.0 / 0.0), "NaN");
  double parsed = 0;
  for (double v : {0.1, 1e-7, 123456.789, 2.5e21}) {
    parsed = std::stod(FormatSampleValue(v));
    EXPECT_EQ(parsed, v) << FormatSampleValue(v);
  }
}

TEST(ReadProcessMetricsTest, ReadsThisProcess) {
  const ProcessMetrics p = ReadProcessMetrics();
  ASSERT_TRUE(p.available);
  EXPECT_GT(p.resident_memory_bytes, 1u << 20);
  EXPECT_GE(p.virtual_memory_bytes, p.resident_memory_bytes);
  EXPECT_GE(p.cpu_seconds, 0);
  EXPECT_GE(p.threads, 1u);
  EXPECT_GE(p.open_fds, 3u);
  EXPECT_GE(p.max_fds, p.open_fds);
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(p.start_time_seconds, now + 1);
  EXPECT_GT(p.start_time_seconds, now - 24 * 3600);
  // CPU time grows with work.
  volatile double x = 0;
  for (int i = 0; i < 50'000'000; ++i) x = x + i * 0.5;
  EXPECT_GT(ReadProcessMetrics().cpu_seconds, p.cpu_seconds);
}

// --- the parser the tests above rely on ---

std::string ParseError(const std::string& text) {
  Exposition e;
  std::string error;
  if (ParsePrometheusText(text, &e, &error)) return "(accepted)";
  return error;
}

TEST(PrometheusParserTest, AcceptsTheFormat) {
  const std::string text =
      "# a plain comment\n"
      "\n"
      "# HELP up_total Says \\\\ and \\n.\n"
      "# TYPE up_total counter\n"
      "up_total{a=\"x\",b=\"q\\\"\\\\\\n\",} 1 1700000000000\n"
      "  up_total{a=\"y\"}\t2.5e3  \n"
      "loose 1\n"
      "# TYPE s summary\n"
      "s{quantile=\"0.5\"} 1\n"
      "s_sum 3\n"
      "s_count 2\n"
      "# TYPE h histogram\n"
      "h_bucket{le=\"1\"} 1\n"
      "h_bucket{le=\"+Inf\"} 2\n"
      "h_sum 4\n"
      "h_count 2\n"
      "g NaN\n"
      "g2 -Inf\n";
  Exposition e;
  std::string error;
  ASSERT_TRUE(ParsePrometheusText(text, &e, &error)) << error;
  ASSERT_EQ(e.families.size(), 6u);
  EXPECT_EQ(e.families[0].help, "Says \\ and \n.");
  EXPECT_EQ(e.families[0].samples[0].labels.at("b"), "q\"\\\n");
  EXPECT_EQ(e.families[0].samples[0].timestamp_ms, 1700000000000);
  EXPECT_EQ(e.Value("up_total", {{"a", "y"}}), 2500);
  EXPECT_EQ(e.Value("up_total"), std::nullopt);  // two series match
  EXPECT_EQ(e.Find("loose")->type, "untyped");
  EXPECT_EQ(e.Find("h")->samples.size(), 4u);
  EXPECT_TRUE(ParsePrometheusText("", &e, &error)) << error;
}

TEST(PrometheusParserTest, RejectsMalformedInput) {
  const struct {
    const char* text;
    const char* error;
  } kCases[] = {
      {"a 1", "newline"},
      {"1a 1\n", "invalid metric name"},
      {"a-b 1\n", "invalid metric name"},
      {"a{1b=\"x\"} 1\n", "invalid label name"},
      {"a{__name__=\"x\"} 1\n", "reserved label"},
      {"a{b=x} 1\n", "not quoted"},
      {"a{b=\"x\\t\"} 1\n", "invalid escape"},
      {"a{b=\"x} 1\n", "unterminated"},
      {"a{b=\"x\" c=\"y\"} 1\n", "expected ','"},
      {"a{b=\"x\",b=\"y\"} 1\n", "given twice"},
      {"a{b=\"\xff\"} 1\n", "UTF-8"},
      {"a{b=\"x\"} 1\na{b=\"x\"} 2\n", "duplicate series"},
      {"a\n", "no value"},
      {"a 1,5\n", "invalid value"},
      {"a 0x10\n", "invalid value"},
      {"a 1e\n", "invalid value"},
      {"a 1 2 3\n", "text after"},
      {"a 1 12.5\n", "invalid timestamp"},
      {"a 1\r\n", "carriage return"},
      {"# HELP a x\n# HELP a y\na 1\n", "second HELP"},
      {"# HELP a bad \\t\na 1\n", "invalid escape"},
      {"# TYPE a counter\n# TYPE a counter\na 1\n", "second TYPE"},
      {"# TYPE a countr\na 1\n", "unknown TYPE"},
      {"# TYPE a counter extra\na 1\n", "text after"},
      {"a 1\n# TYPE a gauge\n", "after its samples"},
      {"# TYPE a gauge\na 1\nb 1\na{x=\"y\"} 2\n", "outside the group"},
      {"# TYPE a gauge\na 1\nb 1\n# HELP a late\n", "outside its group"},
      {"# TYPE a counter\na -1\n", "negative"},
      {"# TYPE h histogram\nh 1\n", "does not fit"},
      {"# TYPE h histogram\nh_bucket 1\nh_sum 1\nh_count 1\n", "bucket without"},
      {"# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", "+Inf"},
      {"# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
       "cumulative"},
      {"# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\n"
       "h_sum 1\nh_count 1\n",
       "ascending"},
      {"# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n", "_count differs"},
      {"# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n", "no _sum"},
      {"# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 2\n", "no _count"},
      {"# TYPE h histogram\nh_bucket{le=\"x\"} 2\nh_sum 2\nh_count 2\n", "invalid le"},
      {"# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum{le=\"1\"} 1\nh_count 1\n",
       "le label on a non-bucket"},
      {"# TYPE s summary\ns 1\ns_sum 1\ns_count 1\n", "without a quantile"},
      {"# TYPE s summary\ns{quantile=\"0.5\"} 1\n", "without _count"},
  };
  for (const auto& c : kCases) {
    const std::string error = ParseError(c.text);
    EXPECT_NE(error.find(c.error), std::string::npos) << "input:\n"
                                                      << c.text << "\nerror: " << error;
  }
}

}  // namespace
}  // namespace rivven
