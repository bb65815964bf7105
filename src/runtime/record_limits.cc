#include "runtime/record_limits.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace rivven {

size_t PayloadBytes(const Record& r) {
  size_t n = (r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0);
  for (const auto& h : r.headers) n += h.key.size() + h.value.size();
  return n;
}

std::string OversizedReason(size_t bytes, size_t limit, const std::string& where) {
  return "record of " + std::to_string(bytes) + " bytes is over settings.limits.max_record_bytes (" +
         std::to_string(limit) + ")" + (where.empty() ? "" : ", " + where);
}

namespace {

// Moves the oversized records out of `records` in one pass; calls `reject(record, bytes)` for
// each, in order.
template <typename T, typename RecordOf, typename Reject>
Status Partition(std::vector<T>& records, size_t limit, RecordOf record_of, Reject reject) {
  size_t kept = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    const size_t bytes = PayloadBytes(record_of(records[i]));
    if (bytes > limit) {
      RC_RETURN_IF_ERROR(reject(records[i], bytes));
      continue;
    }
    if (kept != i) records[kept] = std::move(records[i]);
    ++kept;
  }
  records.resize(kept);
  return Status::Ok();
}

RejectedRecord ToRejected(Record& r, std::string reason, std::string position) {
  RejectedRecord out;
  out.key = std::move(r.key);
  out.value = std::move(r.value);
  out.headers = std::move(r.headers);
  out.reason = std::move(reason);
  out.position = std::move(position);
  return out;
}

}  // namespace

Status RejectOversized(std::vector<Record>& records, size_t limit, const std::string& topic,
                       const std::string& position, RecordErrorHandler& reject) {
  return Partition(
      records, limit, [](Record& r) -> const Record& { return r; },
      [&](Record& r, size_t bytes) {
        const std::string where = "for topic '" + (r.topic.empty() ? topic : r.topic) + "'";
        return reject.Reject(ToRejected(r, OversizedReason(bytes, limit, where), position));
      });
}

Status RejectOversized(std::vector<ConsumedRecord>& records, size_t limit,
                       RecordErrorHandler& reject) {
  return Partition(
      records, limit, [](ConsumedRecord& c) -> const Record& { return c.record; },
      [&](ConsumedRecord& c, size_t bytes) {
        const std::string position = RecordPosition(c);
        return reject.Reject(
            ToRejected(c.record, OversizedReason(bytes, limit, "at " + position), position));
      });
}

std::vector<size_t> SplitByBytes(const std::vector<ConsumedRecord>& records, size_t max_bytes) {
  std::vector<size_t> ends;
  size_t run = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    const size_t bytes = PayloadBytes(records[i].record);
    if (run > 0 && run + bytes > max_bytes) {
      ends.push_back(i);
      run = 0;
    }
    run += bytes;
  }
  if (!records.empty()) ends.push_back(records.size());
  return ends;
}

Status WriteInRuns(Sink& sink, std::vector<ConsumedRecord>& records, size_t max_bytes) {
  const std::vector<size_t> ends = SplitByBytes(records, max_bytes);
  if (ends.size() <= 1) return sink.Write(records);
  std::vector<ConsumedRecord> run;
  size_t begin = 0;
  for (const size_t end : ends) {
    run.assign(std::make_move_iterator(records.begin() + static_cast<ptrdiff_t>(begin)),
               std::make_move_iterator(records.begin() + static_cast<ptrdiff_t>(end)));
    const Status written = sink.Write(run);
    std::move(run.begin(), run.end(), records.begin() + static_cast<ptrdiff_t>(begin));
    RC_RETURN_IF_ERROR(written);
    begin = end;
  }
  return Status::Ok();
}

size_t PollSize::Records(size_t configured) const {
  if (average_ <= 0) return configured;
  const double fits = static_cast<double>(max_bytes_) / average_;
  if (fits >= static_cast<double>(configured)) return configured;
  return std::max<size_t>(1, static_cast<size_t>(fits));
}

void PollSize::Observe(size_t records, size_t bytes) {
  if (records == 0) return;
  const double seen = static_cast<double>(bytes) / static_cast<double>(records);
  average_ = seen >= average_ ? seen : average_ * 0.9 + seen * 0.1;
}

}  // namespace rivven
