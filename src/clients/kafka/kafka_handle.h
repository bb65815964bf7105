#pragma once

// librdkafka handles for the .cc files of clients/kafka only: this header includes rdkafka.h.
#include <librdkafka/rdkafka.h>

#include <string_view>

#include "base/status.h"
#include "clients/kafka/kafka_config.h"

namespace rivven::kafka::internal {

/// A handle of `type` configured with `props` (librdkafka's log lines go to our log under
/// component "kafka"; `extra` names the properties' origin in errors). InvalidArgument names a
/// property librdkafka rejects, never a secret value. `setup` may set callbacks on the conf
/// before the handle is made.
template <typename Setup>
Result<rd_kafka_t*> NewHandle(rd_kafka_type_t type, const Properties& props, Setup&& setup);
Result<rd_kafka_t*> NewHandle(rd_kafka_type_t type, const Properties& props);

/// The Status of an rd_kafka_error_t (which it destroys): retriable errors stay retriable,
/// fatal ones and those that need the transaction aborted are fatal.
Status FromError(rd_kafka_error_t* error, std::string_view what);

/// Logs a warning when `c` turns TLS verification off (TlsVerificationOff), once per setting
/// and process: every producer, consumer and admin client of a pipeline would repeat it.
void WarnIfTlsUnverified(const ClientConfig& c);

// Implementation details.
Result<rd_kafka_conf_t*> NewConf(const Properties& props);
Result<rd_kafka_t*> NewHandleFromConf(rd_kafka_type_t type, rd_kafka_conf_t* conf);

template <typename Setup>
Result<rd_kafka_t*> NewHandle(rd_kafka_type_t type, const Properties& props, Setup&& setup) {
  RC_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf, NewConf(props));
  setup(conf);
  return NewHandleFromConf(type, conf);
}

}  // namespace rivven::kafka::internal
