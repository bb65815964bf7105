#include "clients/kafka/kafka_handle.h"

#include <openssl/x509.h>

#include <cstdio>
#include <string>

#include "base/log.h"
#include "base/warn_once.h"
#include "clients/kafka/kafka_error.h"

namespace rivven::kafka::internal {
namespace {

constexpr std::string_view kComponent = "kafka";

void LogLine(const rd_kafka_t*, int level, const char* facility, const char* message) {
  // syslog levels: 0-3 error, 4 warning, 5-6 notice/info, 7 debug.
  if (level <= 3) {
    log::Error(kComponent, "{}: {}", facility, message);
  } else if (level == 4) {
    log::Warn(kComponent, "{}: {}", facility, message);
  } else if (level <= 6) {
    log::Info(kComponent, "{}: {}", facility, message);
  } else {
    log::Debug(kComponent, "{}: {}", facility, message);
  }
}

// librdkafka reports a refused certificate as "certificate verify failed" whatever the check was;
// this callback keeps OpenSSL's verdict (X509_V_OK or not) and names the check that failed
// ("hostname mismatch", "unable to get local issuer certificate"), which librdkafka logs with
// the broker and the certificate's subject and issuer.
int VerifyCertificate(rd_kafka_t*, const char*, int32_t, int* x509_error, int, const char*,
                      size_t, char* errstr, size_t errstr_size, void*) {
  if (*x509_error == X509_V_OK) return 1;
  std::snprintf(errstr, errstr_size, "certificate verify failed: %s",
                X509_verify_cert_error_string(*x509_error));
  return 0;
}

bool UsesTls(const Properties& props) {
  for (const auto& [name, value] : props) {
    if (name == "security.protocol") return value == "ssl" || value == "sasl_ssl";
  }
  return false;
}

}  // namespace

void WarnIfTlsUnverified(const ClientConfig& c) {
  const std::string off = TlsVerificationOff(c);
  if (off.empty()) return;
  log::WarnOnce(kComponent,
                off + ": TLS verification of the brokers is off, their identity is not checked");
}

Result<rd_kafka_conf_t*> NewConf(const Properties& props) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [name, value] : props) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), err, sizeof err) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      const bool secret = Redacted({{name, value}}).front().second != value;
      return Status::InvalidArgument("librdkafka rejects the property " + name +
                                     (secret ? std::string() : "=" + value) + ": " + err);
    }
  }
  rd_kafka_conf_set_log_cb(conf, LogLine);
  if (UsesTls(props)) rd_kafka_conf_set_ssl_cert_verify_cb(conf, VerifyCertificate);
  return conf;
}

Result<rd_kafka_t*> NewHandleFromConf(rd_kafka_type_t type, rd_kafka_conf_t* conf) {
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);  // not taken over on failure
    return Status::InvalidArgument(std::string("cannot create a Kafka ") +
                                   (type == RD_KAFKA_PRODUCER ? "producer" : "consumer") + ": " +
                                   err);
  }
  return rk;
}

Result<rd_kafka_t*> NewHandle(rd_kafka_type_t type, const Properties& props) {
  return NewHandle(type, props, [](rd_kafka_conf_t*) {});
}

Status FromError(rd_kafka_error_t* error, std::string_view what) {
  if (error == nullptr) return Status::Ok();
  const int code = rd_kafka_error_code(error);
  const bool retriable = rd_kafka_error_is_retriable(error) != 0;
  const bool fatal = rd_kafka_error_is_fatal(error) != 0 ||
                     rd_kafka_error_txn_requires_abort(error) != 0;
  Status s = ErrorStatus(code, what, rd_kafka_error_string(error));
  rd_kafka_error_destroy(error);
  if (fatal) return s.WithDisposition(Disposition::kFatal);
  if (retriable) return s.WithDisposition(Disposition::kRetriable);
  return s;
}

}  // namespace rivven::kafka::internal
