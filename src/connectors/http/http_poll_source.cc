#include "connectors/http/http_poll_source.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <thread>

#include "base/clock.h"
#include "base/json_escape.h"
#include "base/log.h"
#include "clients/http/http_url.h"
#include "connectors/registry.h"
#include "formats/jsonpath.h"

namespace rivven {
namespace http {
namespace {

constexpr std::string_view kLog = "http-poll";

std::string JsonText(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

/// A scalar as plain text (strings unquoted), anything else as JSON.
std::string ScalarText(const rapidjson::Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  return JsonText(v);
}

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = static_cast<uint8_t>(in[i]) << 16 | static_cast<uint8_t>(in[i + 1]) << 8 |
                       static_cast<uint8_t>(in[i + 2]);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < in.size()) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<uint8_t>(in[i + 1]) << 8;
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace

struct HttpPollSource::Paths {
  formats::JsonPath response, next, cursor, dedup, key;
  bool whole_response = false;  ///< response_path is "$"
};

HttpPollSource::HttpPollSource(HttpPollConfig config, ConnectorMetrics* metrics)
    : config_(std::move(config)), metrics_(metrics) {}
HttpPollSource::~HttpPollSource() = default;

Status HttpPollSource::Open(const std::optional<std::string>& checkpoint) {
  paths_ = std::make_unique<Paths>();
  auto parse = [](const std::string& text, formats::JsonPath* out) -> Status {
    if (text.empty()) return Status::Ok();
    RC_ASSIGN_OR_RETURN(*out, formats::JsonPath::Parse(text));
    return Status::Ok();
  };
  RC_RETURN_IF_ERROR(parse(config_.response_path, &paths_->response));
  paths_->whole_response = config_.response_path == "$";
  RC_RETURN_IF_ERROR(parse(config_.pagination.next_path, &paths_->next));
  RC_RETURN_IF_ERROR(parse(config_.incremental.field, &paths_->cursor));
  RC_RETURN_IF_ERROR(parse(config_.dedup_path, &paths_->dedup));
  RC_RETURN_IF_ERROR(parse(config_.key_path, &paths_->key));
  ClientOptions o;
  o.verify_tls = config_.verify_tls;
  o.ca_path = config_.ca_path;
  o.owner = config_.tls_owner;
  RC_ASSIGN_OR_RETURN(client_, HttpClient::Create(o));

  if (checkpoint) {
    rapidjson::Document d;
    d.Parse(checkpoint->c_str());
    if (d.HasParseError() || !d.IsObject()) {
      return Status::Corruption("http-poll checkpoint is not a JSON object: " + *checkpoint);
    }
    if (d.HasMember("cursor") && d["cursor"].IsString()) cursor_ = d["cursor"].GetString();
    if (d.HasMember("etag") && d["etag"].IsString()) etag_ = d["etag"].GetString();
    if (d.HasMember("seen") && d["seen"].IsArray()) {
      for (const auto& id : d["seen"].GetArray()) {
        if (id.IsString()) Remember(id.GetString());
      }
    }
  }
  return Status::Ok();
}

void HttpPollSource::Remember(const std::string& id) {
  if (!seen_.insert(id).second) return;
  seen_order_.push_back(id);
  while (static_cast<int64_t>(seen_order_.size()) > config_.dedup_window) {
    seen_.erase(seen_order_.front());
    seen_order_.pop_front();
  }
}

std::string HttpPollSource::PositionText() const {
  std::string out = "{";
  bool first = true;
  auto field = [&](const char* name) {
    if (!first) out += ',';
    first = false;
    AppendJsonString(out, name);
    out += ':';
  };
  if (cursor_) {
    field("cursor");
    AppendJsonString(out, *cursor_);
  }
  if (etag_) {
    field("etag");
    AppendJsonString(out, *etag_);
  }
  if (!seen_order_.empty()) {
    field("seen");
    out += '[';
    for (size_t i = 0; i < seen_order_.size(); ++i) {
      if (i > 0) out += ',';
      AppendJsonString(out, seen_order_[i]);
    }
    out += ']';
  }
  out += '}';
  return out;
}

Status HttpPollSource::FetchAll() {
  const auto& pg = config_.pagination;
  std::string base = config_.url;
  if (config_.auth.type == AuthType::kApiKey && config_.auth.key_in_query) {
    base = WithQueryParam(base, config_.auth.key_name, config_.auth.key_value);
  }
  const std::optional<std::string> since =
      cursor_ ? cursor_
              : (config_.incremental.initial.empty() ? std::nullopt
                                                     : std::optional<std::string>(config_.incremental.initial));
  if (!config_.incremental.param.empty() && since) {
    base = WithQueryParam(base, config_.incremental.param, *since);
  }
  std::string url = base;
  int64_t page = pg.page_start, offset = 0;
  std::optional<std::string> cursor_token;
  pending_etag_.reset();
  for (int64_t n = 0; n < pg.max_pages; ++n) {
    Request request;
    request.method = config_.method;
    request.timeout = config_.timeout;
    request.headers = config_.headers;
    request.body = config_.body;
    switch (pg.type) {
      case Pagination::kPage:
        request.url = WithQueryParam(base, pg.page_param, std::to_string(page));
        break;
      case Pagination::kOffset:
        request.url = WithQueryParam(base, pg.offset_param, std::to_string(offset));
        break;
      case Pagination::kCursor:
        request.url = cursor_token ? WithQueryParam(base, pg.cursor_param, *cursor_token) : base;
        break;
      default:
        request.url = url;
    }
    if ((pg.type == Pagination::kPage || pg.type == Pagination::kOffset) && !pg.limit_param.empty() &&
        pg.page_size > 0) {
      request.url = WithQueryParam(request.url, pg.limit_param, std::to_string(pg.page_size));
    }
    switch (config_.auth.type) {
      case AuthType::kBearer:
        request.headers.emplace_back("Authorization", "Bearer " + config_.auth.token);
        break;
      case AuthType::kBasic:
        request.headers.emplace_back(
            "Authorization", "Basic " + Base64(config_.auth.username + ":" + config_.auth.password));
        break;
      case AuthType::kApiKey:
        if (!config_.auth.key_in_query) {
          request.headers.emplace_back(config_.auth.key_name, config_.auth.key_value);
        }
        break;
      case AuthType::kNone:
        break;
    }
    if (n == 0 && config_.etag && etag_) request.headers.emplace_back("If-None-Match", *etag_);
    if (!config_.body.empty()) request.headers.emplace_back("Content-Type", "application/json");

    ++requests_;
    const auto sent_at = std::chrono::steady_clock::now();
    auto sent = client_->Send(request);
    metrics_.Request(sent.ok() ? sent->status : 0,
                     std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::steady_clock::now() - sent_at));
    RC_ASSIGN_OR_RETURN(Response response, std::move(sent));
    const std::string where = request.method + " " + RedactedUrl(request.url);
    if (response.status == 304 && n == 0) return Status::Ok();  // nothing new
    if (response.status < 200 || response.status >= 300) {
      const std::string text = where + " answered HTTP " + std::to_string(response.status) +
                               (response.body.empty() ? "" : ": " + response.body.substr(0, 200));
      if (response.status == 408 || response.status == 429 || response.status >= 500) {
        return Status::Unavailable(text);
      }
      return Status::FailedPrecondition(text);
    }
    if (n == 0 && config_.etag) pending_etag_ = response.Header("etag");

    rapidjson::Document doc;
    doc.Parse(response.body.c_str(), response.body.size());
    if (doc.HasParseError()) {
      return Status::Corruption(where + " answered with a body that is not JSON: " +
                                rapidjson::GetParseError_En(doc.GetParseError()) + " at byte " +
                                std::to_string(doc.GetErrorOffset()));
    }
    std::vector<const rapidjson::Value*> selected;
    if (paths_->whole_response && doc.IsArray()) {
      for (const auto& e : doc.GetArray()) selected.push_back(&e);
    } else {
      selected = paths_->response.Select(doc);
    }
    const TimestampMs now = NowMs();
    for (const rapidjson::Value* v : selected) {
      Pending p;
      p.record.value = JsonText(*v);
      p.record.timestamp_ms = now;
      if (!config_.key_path.empty()) {
        auto keys = paths_->key.Select(*v);
        if (!keys.empty()) p.record.key = JsonText(*keys.front());
      }
      if (!config_.incremental.field.empty()) {
        auto c = paths_->cursor.Select(*v);
        if (!c.empty() && !c.front()->IsNull()) p.cursor = ScalarText(*c.front());
      }
      if (!config_.dedup_path.empty()) {
        auto id = paths_->dedup.Select(*v);
        if (!id.empty()) p.id = ScalarText(*id.front());
      }
      pending_.push_back(std::move(p));
    }

    // The next page, if any.
    bool more = false;
    switch (pg.type) {
      case Pagination::kNone:
        break;
      case Pagination::kNextLink: {
        auto next = paths_->next.Select(doc);
        if (!next.empty() && next.front()->IsString() && next.front()->GetStringLength() > 0) {
          url = ResolveUrl(request.url, next.front()->GetString());
          more = true;
        }
        break;
      }
      case Pagination::kLinkHeader:
        if (auto link = response.Header("link")) {
          if (auto next = NextLink(*link)) {
            url = ResolveUrl(request.url, *next);
            more = true;
          }
        }
        break;
      case Pagination::kCursor: {
        auto next = paths_->next.Select(doc);
        if (!next.empty() && !next.front()->IsNull()) {
          const std::string token = ScalarText(*next.front());
          if (!token.empty() && token != cursor_token) {
            cursor_token = token;
            more = true;
          }
        }
        break;
      }
      case Pagination::kPage:
      case Pagination::kOffset:
        more = !selected.empty() &&
               (pg.page_size <= 0 || static_cast<int64_t>(selected.size()) >= pg.page_size);
        ++page;
        offset += static_cast<int64_t>(selected.size());
        break;
    }
    if (!more) return Status::Ok();
  }
  log::Warn(kLog, "{}: stopped after max_pages={} pages in one poll", RedactedUrl(config_.url),
            pg.max_pages);
  return Status::Ok();
}

Result<SourceBatch> HttpPollSource::Poll(size_t max_records, std::chrono::milliseconds max_wait,
                                         std::stop_token stop) {
  SourceBatch batch;
  if (pending_.empty()) {
    const auto now = std::chrono::steady_clock::now();
    if (now < next_poll_) {
      const auto until = std::min(next_poll_, now + max_wait);
      while (std::chrono::steady_clock::now() < until && !stop.stop_requested()) {
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
            until - std::chrono::steady_clock::now(), std::chrono::milliseconds(20)));
      }
      return batch;
    }
    next_poll_ = now + config_.poll_interval;
    if (Status s = FetchAll(); !s.ok()) {
      pending_.clear();
      return s;
    }
    if (pending_.empty()) {
      // Nothing new (or 304): the ETag may still have changed.
      if (pending_etag_ && pending_etag_ != etag_) {
        etag_ = pending_etag_;
        batch.position = PositionText();
      }
      return batch;
    }
  }
  while (!pending_.empty() && batch.records.size() < max_records) {
    Pending p = std::move(pending_.front());
    pending_.pop_front();
    if (p.cursor) cursor_ = p.cursor;
    if (p.id) {
      if (seen_.count(*p.id)) continue;  // emitted before
      Remember(*p.id);
    }
    batch.records.push_back(std::move(p.record));
  }
  if (pending_.empty()) etag_ = pending_etag_;
  batch.position = PositionText();
  return batch;
}

}  // namespace http

void RegisterHttpPoll(Registry& registry) {
  ConnectorDescriptor d;
  d.name = "http-poll";
  d.kind = ConnectorKind::kSource;
  d.description =
      "Polls an HTTP API: JSONPath selects the records, pagination (next link, Link header, "
      "cursor, page, offset), auth, an incremental cursor kept in the checkpoint, ETag and dedup";
  d.schema = http::HttpPollSchema();
  d.make_source = [](const config::BoundConfig& bound,
                     const ConnectorContext& context) -> Result<std::unique_ptr<Source>> {
    RC_ASSIGN_OR_RETURN(http::HttpPollConfig c, http::HttpPollConfigFromBound(bound));
    return std::unique_ptr<Source>(
        std::make_unique<http::HttpPollSource>(std::move(c), context.metrics));
  };
  // One request as the first poll would send it (GET or the configured POST), without reading
  // further pages: OK when it answers 2xx or 304.
  d.check = [](const config::BoundConfig& bound) -> Status {
    RC_ASSIGN_OR_RETURN(http::HttpPollConfig c, http::HttpPollConfigFromBound(bound));
    c.pagination.max_pages = 1;
    c.poll_interval = std::chrono::milliseconds(0);
    http::HttpPollSource source(std::move(c));
    RC_RETURN_IF_ERROR(source.Open(std::nullopt));
    std::stop_source stop;
    return source.Poll(1, std::chrono::milliseconds(0), stop.get_token()).status();
  };
  registry.Add(std::move(d));
}

}  // namespace rivven
