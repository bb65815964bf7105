#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "app/cli.h"
#include "app/record_printer.h"
#include "broker/embedded/embedded_broker.h"
#include "config/pipeline_config.h"

namespace rivven::app {
namespace {

struct TopicsOptions {
  std::string topic;
  std::string group;
  int32_t partition = -1;
  int64_t offset = -1;
  bool from_beginning = false;
  int64_t count = -1;  ///< tail: -1 = last 10 per partition, or everything from a start point
  bool follow = false;
  int32_t partitions = 1;
  std::string key;
  std::string key_separator;
};

/// --data-dir, else the --config file's broker.data_dir, else ./rivven-data.
std::optional<std::string> ResolveDataDir(const GlobalOptions& g) {
  if (!g.data_dir.empty()) return g.data_dir;
  if (g.config_path.empty()) return std::string("./rivven-data");
  config::Diagnostics diags(g.config_path);
  auto cfg = config::LoadPipelineConfig(g.config_path, config::ProcessEnv(), &diags);
  if (!diags.empty()) {
    std::fputs(diags.Format().c_str(), stderr);
    return std::nullopt;
  }
  return cfg.broker.data_dir;
}

Result<std::unique_ptr<EmbeddedBroker>> OpenDir(const GlobalOptions& g, bool read_only) {
  auto dir = ResolveDataDir(g);
  if (!dir) return Status::InvalidArgument("bad configuration");
  EmbeddedBrokerOptions o;
  o.data_dir = *dir;
  o.read_only = read_only;
  return OpenEmbeddedBroker(o);
}

int Fail(const Status& s) {
  std::fprintf(stderr, "rivven-connect topics: %s\n", s.ToString().c_str());
  return s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kNotFound
             ? kExitUsage
             : kExitRuntime;
}

int List(const GlobalOptions& g) {
  auto broker = OpenDir(g, /*read_only=*/true);
  if (!broker.ok()) return Fail(broker.status());
  auto topics = (*broker)->ListTopics();
  if (!topics.ok()) return Fail(topics.status());
  std::printf("%-32s %10s %14s %14s\n", "TOPIC", "PARTITIONS", "RECORDS", "BYTES");
  for (const auto& t : *topics) {
    auto info = (*broker)->DescribeTopic(t);
    if (!info.ok()) return Fail(info.status());
    int64_t records = 0, bytes = 0;
    for (const auto& p : info->partitions) {
      records += p.end_offset - p.start_offset;
      bytes += p.size_bytes;
    }
    std::printf("%-32s %10zu %14lld %14lld\n", t.c_str(), info->partitions.size(),
                static_cast<long long>(records), static_cast<long long>(bytes));
  }
  return kExitOk;
}

int Describe(const GlobalOptions& g, const TopicsOptions& o) {
  auto broker = OpenDir(g, true);
  if (!broker.ok()) return Fail(broker.status());
  auto info = (*broker)->DescribeTopic(o.topic);
  if (!info.ok()) return Fail(info.status());
  std::vector<TopicPartitionOffset> committed;
  if (!o.group.empty()) {
    auto c = (*broker)->CommittedOffsets(o.group, o.topic);
    if (!c.ok()) return Fail(c.status());
    committed = *c;
  }
  std::printf("topic %s: %zu partition(s)\n", info->name.c_str(), info->partitions.size());
  std::printf("%9s %14s %14s %14s %9s", "PARTITION", "START", "END", "BYTES", "SEGMENTS");
  if (!o.group.empty()) std::printf(" %14s %10s", "COMMITTED", "LAG");
  std::printf("\n");
  for (const auto& p : info->partitions) {
    std::printf("%9d %14lld %14lld %14lld %9d", p.partition,
                static_cast<long long>(p.start_offset.value()),
                static_cast<long long>(p.end_offset.value()), static_cast<long long>(p.size_bytes),
                p.segments);
    if (!o.group.empty()) {
      int64_t c = -1;
      for (const auto& x : committed) {
        if (x.partition == p.partition) c = x.offset.value();
      }
      if (c < 0) {
        std::printf(" %14s %10lld", "-",
                    static_cast<long long>(p.end_offset - p.start_offset));
      } else {
        std::printf(" %14lld %10lld", static_cast<long long>(c),
                    static_cast<long long>(p.end_offset.value() - c));
      }
    }
    std::printf("\n");
  }
  return kExitOk;
}

int Tail(const GlobalOptions& g, const TopicsOptions& o) {
  auto broker = OpenDir(g, true);
  if (!broker.ok()) return Fail(broker.status());
  auto info = (*broker)->DescribeTopic(o.topic);
  if (!info.ok()) return Fail(info.status());
  if (o.partition >= static_cast<int32_t>(info->partitions.size())) {
    return Fail(Status::InvalidArgument("topic " + o.topic + " has no partition " +
                                        std::to_string(o.partition)));
  }
  std::vector<std::pair<int32_t, Offset>> cursors;
  for (const auto& p : info->partitions) {
    if (o.partition >= 0 && p.partition != o.partition) continue;
    Offset from = p.start_offset;
    if (o.offset >= 0) {
      from = Offset(o.offset);
    } else if (!o.from_beginning) {
      from = Offset(std::max(p.start_offset.value(), p.end_offset.value() - (o.count < 0 ? 10 : o.count)));
    }
    cursors.emplace_back(p.partition, from);
  }
  RecordPrinter printer(stdout);
  int64_t printed = 0;
  const bool limited = o.count >= 0 && (o.offset >= 0 || o.from_beginning);
  while (true) {
    bool any = false;
    for (auto& [partition, next] : cursors) {
      auto recs = (*broker)->Read(o.topic, partition, next, 1000, std::chrono::milliseconds(0));
      if (!recs.ok()) return Fail(recs.status());
      for (const auto& r : *recs) {
        if (limited && printed >= o.count) return kExitOk;
        if (!printer.Print(r)) return kExitOk;  // stdout closed
        next = r.offset + 1;
        ++printed;
        any = true;
      }
    }
    if (!any) {
      if (!o.follow) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      // A read-only view does not see appends by another process without reopening the
      // partition files' sizes; Read handles growth, so just poll again.
    }
  }
  return kExitOk;
}

int Produce(const GlobalOptions& g, const TopicsOptions& o) {
  auto broker = OpenDir(g, false);
  if (!broker.ok()) return Fail(broker.status());
  auto info = (*broker)->DescribeTopic(o.topic);
  if (!info.ok()) {
    if (info.status().code() != StatusCode::kNotFound) return Fail(info.status());
    TopicSpec spec;
    spec.partitions = o.partitions;
    if (Status s = (*broker)->CreateTopic(o.topic, spec); !s.ok()) return Fail(s);
  }
  auto producer = (*broker)->NewProducer();
  if (!producer.ok()) return Fail(producer.status());
  std::vector<Record> batch;
  int64_t total = 0;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    total += static_cast<int64_t>(batch.size());
    Status s = (*producer)->Send(o.topic, batch);
    batch.clear();
    return s;
  };
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    Record r;
    if (!o.key_separator.empty()) {
      const auto pos = line.find(o.key_separator);
      if (pos == std::string::npos) {
        return Fail(Status::InvalidArgument("line " + std::to_string(total + batch.size() + 1) +
                                            " has no key separator '" + o.key_separator + "'"));
      }
      r.key = line.substr(0, pos);
      r.value = line.substr(pos + o.key_separator.size());
    } else {
      if (!o.key.empty()) r.key = o.key;
      r.value = line;
    }
    batch.push_back(std::move(r));
    if (batch.size() >= 1000) {
      if (Status s = flush(); !s.ok()) return Fail(s);
    }
  }
  if (Status s = flush(); !s.ok()) return Fail(s);
  if (Status s = (*broker)->Close(); !s.ok()) return Fail(s);
  std::fprintf(stderr, "produced %lld record(s) to %s\n", static_cast<long long>(total),
               o.topic.c_str());
  return kExitOk;
}

int Create(const GlobalOptions& g, const TopicsOptions& o) {
  auto broker = OpenDir(g, false);
  if (!broker.ok()) return Fail(broker.status());
  TopicSpec spec;
  spec.partitions = o.partitions;
  if (Status s = (*broker)->CreateTopic(o.topic, spec); !s.ok()) return Fail(s);
  if (Status s = (*broker)->Close(); !s.ok()) return Fail(s);
  std::printf("created topic %s with %d partition(s)\n", o.topic.c_str(), o.partitions);
  return kExitOk;
}

}  // namespace

void AddTopicsCommand(CLI::App& app, GlobalOptions& g, Action& action) {
  auto* topics = app.add_subcommand("topics", "inspect the embedded broker's data dir");
  topics->require_subcommand(1);
  topics->footer("The data dir is --data-dir, else broker.data_dir of --config, else ./rivven-data.");
  auto o = std::make_shared<TopicsOptions>();

  auto* list = topics->add_subcommand("list", "list topics with record counts and sizes");
  list->callback([&g, &action] { action = [&g] { return List(g); }; });

  auto* describe = topics->add_subcommand("describe", "partitions, offsets, sizes of a topic");
  describe->add_option("TOPIC", o->topic)->required();
  describe->add_option("--group", o->group, "also show this consumer group's offsets and lag");
  describe->callback([&g, &action, o] { action = [&g, o] { return Describe(g, *o); }; });

  auto* tail = topics->add_subcommand("tail", "print records of a topic as JSON lines");
  tail->add_option("TOPIC", o->topic)->required();
  tail->add_option("-p,--partition", o->partition, "only this partition");
  tail->add_option("--offset", o->offset, "start at this offset");
  tail->add_flag("--from-beginning", o->from_beginning, "start at the earliest offset");
  tail->add_option("-n,--count", o->count,
                   "last N records per partition (default 10); with --offset or "
                   "--from-beginning, at most N records");
  tail->add_flag("-f,--follow", o->follow, "keep printing new records");
  tail->callback([&g, &action, o] { action = [&g, o] { return Tail(g, *o); }; });

  auto* produce = topics->add_subcommand("produce", "append stdin lines to a topic as records");
  produce->add_option("TOPIC", o->topic)->required();
  produce->add_option("--key", o->key, "the same key for every record");
  produce->add_option("--key-separator", o->key_separator, "split each line into KEY<sep>VALUE");
  produce->add_option("--partitions", o->partitions, "partitions when the topic is created")
      ->check(CLI::Range(1, 10000));
  produce->callback([&g, &action, o] { action = [&g, o] { return Produce(g, *o); }; });

  auto* create = topics->add_subcommand("create", "create a topic");
  create->add_option("TOPIC", o->topic)->required();
  create->add_option("--partitions", o->partitions, "number of partitions")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  create->callback([&g, &action, o] { action = [&g, o] { return Create(g, *o); }; });
}

}  // namespace rivven::app
