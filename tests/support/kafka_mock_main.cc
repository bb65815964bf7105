// kafka-mock-cluster: librdkafka's mock cluster as a process of its own, for benchmarks and
// shell scripts. Usage:
//   kafka-mock-cluster BROKERS [TOPIC:PARTITIONS ...]
// prints "bootstraps=<host:port,...>" on stdout once it listens, then serves until its stdin is
// closed (or SIGTERM). Topics are created with replication factor 1.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "support/kafka_mock_cluster.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s BROKERS [TOPIC:PARTITIONS ...]\n", argv[0]);
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  std::string error;
  auto cluster = rivven::testing::KafkaMockCluster::Start(std::atoi(argv[1]), &error);
  if (cluster == nullptr) {
    std::fprintf(stderr, "kafka-mock-cluster: %s\n", error.c_str());
    return 1;
  }
  for (int i = 2; i < argc; ++i) {
    const std::string spec = argv[i];
    const size_t colon = spec.rfind(':');
    const std::string name = spec.substr(0, colon);
    const int partitions = colon == std::string::npos ? 1 : std::atoi(spec.c_str() + colon + 1);
    if (!cluster->CreateTopic(name, partitions, 1)) {
      std::fprintf(stderr, "kafka-mock-cluster: cannot create topic %s\n", spec.c_str());
      return 1;
    }
  }
  std::printf("bootstraps=%s\n", cluster->bootstraps().c_str());
  std::fflush(stdout);
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  return 0;
}
