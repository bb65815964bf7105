#include "connectors/postgres/postgres_config.h"

#include <cctype>

#include "base/warn_once.h"

namespace rivven::postgres {
namespace {

using config::Key;
using config::ValueType;

// Slot names: lower-case letters, digits and underscores, at most 63 bytes (PostgreSQL's rule).
std::string SlotNameProblem(const std::string& name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > 63) return "is longer than 63 characters";
  for (unsigned char c : name) {
    if (!(std::islower(c) || std::isdigit(c) || c == '_')) {
      return "may contain only lower-case letters, digits and underscores ('" + name + "')";
    }
  }
  return {};
}

Result<pg::TlsMode> TlsModeFromName(const std::string& name) {
  if (name == "disable") return pg::TlsMode::kDisable;
  if (name == "prefer") return pg::TlsMode::kPrefer;
  if (name == "require") return pg::TlsMode::kRequire;
  if (name == "verify-ca") return pg::TlsMode::kVerifyCa;
  if (name == "verify-full") return pg::TlsMode::kVerifyFull;
  return Status::InvalidArgument("unknown TLS mode '" + name + "'");
}

}  // namespace

Result<TableName> ParseTableName(const std::string& text) {
  const size_t dot = text.find('.');
  TableName name;
  if (dot == std::string::npos) {
    name.schema = "public";
    name.table = text;
  } else {
    name.schema = text.substr(0, dot);
    name.table = text.substr(dot + 1);
  }
  if (name.schema.empty() || name.table.empty() || name.table.find('.') != std::string::npos) {
    return Status::InvalidArgument("'" + text + "' is not a table name (expected schema.table)");
  }
  return name;
}

config::Schema PostgresSourceSchema() {
  config::Schema s;
  s.Add(Key("host", ValueType::kString, "Database host").Required());
  s.Add(Key("port", ValueType::kInt, "Database port").Default("5432").Min(1).Max(65535));
  s.Add(Key("database", ValueType::kString, "Database name").Required());
  s.Add(Key("user", ValueType::kString,
            "Username; needs the REPLICATION attribute (or superuser) and SELECT on the tables")
            .Required());
  s.Add(Key("password", ValueType::kString, "Password").Required().Secret());
  s.Add(Key("slot_name", ValueType::kString,
            "Replication slot name (lower-case letters, digits, underscores); the slot keeps the "
            "server's WAL until the source has durably stored the changes")
            .Required());
  s.Add(Key("publication_name", ValueType::kString,
            "Publication name: which tables' changes the server sends")
            .Required());
  s.Add(Key("publication_tables", ValueType::kStringList,
            "Tables to include, as schema.table (a bare name means public.name); empty = all "
            "tables. Used when the publication is created, and to check an existing one")
            .Default("[]"));
  s.Add(Key("auto_create_slot", ValueType::kBool,
            "Create the replication slot (pgoutput) when it does not exist")
            .Default("true"));
  s.Add(Key("auto_create_publication", ValueType::kBool,
            "Create the publication when it does not exist (FOR ALL TABLES when "
            "publication_tables is empty; needs superuser then)")
            .Default("true"));
  s.Add(Key("tls", ValueType::kObject, "TLS to the server")
            .Child(Key("mode", ValueType::kString,
                       "disable, prefer (TLS when the server offers it), require (TLS, no "
                       "certificate check), verify-ca (the server's certificate is signed by "
                       "ca_path), verify-full (verify-ca and the host name matches)")
                       .Default("prefer")
                       .OneOf({"disable", "prefer", "require", "verify-ca", "verify-full"}))
            .Child(Key("ca_path", ValueType::kString,
                       "CA certificate(s) that sign the server's certificate (PEM); required "
                       "for verify-ca and verify-full"))
            .Child(Key("cert_path", ValueType::kString, "Client certificate (PEM), optional"))
            .Child(Key("key_path", ValueType::kString,
                       "Client private key (PEM) for cert_path")));
  s.Add(SnapshotKey("WAL", "one COPY per chunk"));
  s.Add(Key("heartbeat_interval_ms", ValueType::kInt,
            "How often the source asks the server for its WAL position and, when every change "
            "sent so far is stored, confirms it, so the slot advances while the watched tables "
            "are idle. 0 disables")
            .Default("10000")
            .Min(0)
            .Max(3600000));
  s.Add(Key("heartbeat_action_query", ValueType::kString,
            "SQL run on every heartbeat (e.g. an UPDATE of a heartbeat table in the "
            "publication), for databases that are idle while others on the server write"));
  s.Add(Key("status_interval_ms", ValueType::kInt,
            "How often the acknowledged position is reported to the server")
            .Default("10000")
            .Min(100)
            .Max(3600000));
  s.Add(Key("decimal_handling", ValueType::kString,
            "numeric and money columns: string (exact) or double (a JSON number)")
            .Default("string")
            .OneOf({"string", "double"}));
  s.Add(Key("json_handling", ValueType::kString,
            "json and jsonb columns: string (the document as a JSON string, as Debezium) or "
            "embedded (the document itself)")
            .Default("string")
            .OneOf({"string", "embedded"}));
  s.Add(Key("unavailable_value_placeholder", ValueType::kString,
            "Written in place of an unchanged TOAST value the server did not send (the columns "
            "are also named in the header rivven.unavailable_columns)")
            .Default("__debezium_unavailable_value"));
  s.Add(Key("include_logical_messages", ValueType::kBool,
            "Also emit pg_logical_emit_message() messages as op \"m\" events")
            .Default("false"));
  s.Add(Key("signal_table", ValueType::kString,
            "A Debezium-style signal table (schema.table with columns id, type, data) in the "
            "publication; an inserted 'execute-snapshot' row starts an incremental snapshot"));
  s.Add(Key("server_name", ValueType::kString,
            "source.name in the change events (Debezium's topic.prefix); default: the source's "
            "name"));
  return s;
}

Result<PostgresSourceConfig> PostgresSourceConfigFromBound(const config::BoundConfig& bound,
                                                           const std::string& source_name) {
  PostgresSourceConfig c;
  const std::string& at = bound.path();
  c.connection.host = bound.GetString("host");
  c.connection.port = static_cast<int>(bound.GetInt("port"));
  c.connection.database = bound.GetString("database");
  c.connection.user = bound.GetString("user");
  c.connection.password = bound.GetString("password");
  for (const auto& [name, value] : kSessionSettings) c.connection.settings.emplace_back(name, value);
  const config::BoundConfig tls = bound.GetObject("tls");
  auto tls_mode = TlsModeFromName(tls.GetString("mode"));
  if (!tls_mode.ok()) return Status::InvalidArgument(tls.path() + ".mode: " + tls_mode.status().message());
  c.connection.tls_mode = *tls_mode;
  if (c.connection.tls_mode == pg::TlsMode::kRequire) {
    log::WarnOnce("postgres", tls.path() + ".mode is require: TLS without certificate "
                                           "verification, the server's identity is not checked "
                                           "(verify-full checks it)");
  }
  c.connection.tls_ca_path = tls.GetString("ca_path");
  c.connection.tls_cert_path = tls.GetString("cert_path");
  c.connection.tls_key_path = tls.GetString("key_path");
  if ((c.connection.tls_mode == pg::TlsMode::kVerifyCa ||
       c.connection.tls_mode == pg::TlsMode::kVerifyFull) &&
      c.connection.tls_ca_path.empty()) {
    return Status::InvalidArgument(tls.path() + ".ca_path: required for mode " +
                                   tls.GetString("mode"));
  }
  if (c.connection.tls_cert_path.empty() != c.connection.tls_key_path.empty()) {
    return Status::InvalidArgument(tls.path() + ": cert_path and key_path go together");
  }
  c.slot_name = bound.GetString("slot_name");
  if (std::string p = SlotNameProblem(c.slot_name); !p.empty()) {
    return Status::InvalidArgument(at + ".slot_name: " + p);
  }
  c.publication_name = bound.GetString("publication_name");
  if (c.publication_name.empty()) return Status::InvalidArgument(at + ".publication_name: must not be empty");
  for (const std::string& t : bound.GetStringList("publication_tables")) {
    auto name = ParseTableName(t);
    if (!name.ok()) return Status::InvalidArgument(at + ".publication_tables: " + name.status().message());
    c.publication_tables.push_back(*name);
  }
  c.auto_create_slot = bound.GetBool("auto_create_slot");
  c.auto_create_publication = bound.GetBool("auto_create_publication");
  const config::BoundConfig snapshot = bound.GetObject("snapshot");
  auto mode = SnapshotModeFromName(snapshot.GetString("mode"));
  if (!mode.ok()) return Status::InvalidArgument(snapshot.path() + ".mode: " + mode.status().message());
  c.snapshot_mode = *mode;
  c.snapshot_chunk_rows = snapshot.GetInt("chunk_rows");
  c.heartbeat_interval = std::chrono::milliseconds(bound.GetInt("heartbeat_interval_ms"));
  c.heartbeat_action_query = bound.GetString("heartbeat_action_query");
  c.status_interval = std::chrono::milliseconds(bound.GetInt("status_interval_ms"));
  c.values.decimal = bound.GetString("decimal_handling") == "double" ? ValueOptions::Decimal::kDouble
                                                                     : ValueOptions::Decimal::kString;
  c.values.json = bound.GetString("json_handling") == "embedded" ? ValueOptions::Json::kEmbedded
                                                                 : ValueOptions::Json::kString;
  c.unavailable_value_placeholder = bound.GetString("unavailable_value_placeholder");
  c.include_logical_messages = bound.GetBool("include_logical_messages");
  if (bound.IsSet("signal_table")) {
    auto name = ParseTableName(bound.GetString("signal_table"));
    if (!name.ok()) return Status::InvalidArgument(at + ".signal_table: " + name.status().message());
    c.signal_table = *name;
  }
  c.server_name = bound.IsSet("server_name") ? bound.GetString("server_name") : source_name;
  return c;
}

void ValidatePostgresSourceConfig(const config::BoundConfig& bound, config::Diagnostics* diags) {
  // Runs even when binding found errors, so any key may be missing here.
  if (bound.Has("slot_name")) {
    if (std::string p = SlotNameProblem(bound.GetString("slot_name")); !p.empty()) {
      diags->Add(bound.path() + ".slot_name", bound.MarkOf("slot_name"), p);
    }
  }
  if (bound.Has("publication_tables")) {
    for (const std::string& t : bound.GetStringList("publication_tables")) {
      auto name = ParseTableName(t);
      if (!name.ok()) {
        diags->Add(bound.path() + ".publication_tables", bound.MarkOf("publication_tables"),
                   name.status().message());
      }
    }
  }
  if (bound.IsSet("signal_table")) {
    auto name = ParseTableName(bound.GetString("signal_table"));
    if (!name.ok()) {
      diags->Add(bound.path() + ".signal_table", bound.MarkOf("signal_table"),
                 name.status().message());
    }
  }
  if (bound.Has("tls")) {
    const config::BoundConfig tls = bound.GetObject("tls");
    const std::string mode = tls.Has("mode") ? tls.GetString("mode") : "prefer";
    if ((mode == "verify-ca" || mode == "verify-full") && !tls.IsSet("ca_path")) {
      diags->Add(tls.path() + ".ca_path", tls.MarkOf("mode"),
                 "required for tls.mode " + mode + " (the CA that signs the server's certificate)");
    }
    if (tls.IsSet("cert_path") != tls.IsSet("key_path")) {
      diags->Add(tls.path(), bound.MarkOf("tls"), "cert_path and key_path go together");
    }
  }
}

}  // namespace rivven::postgres
