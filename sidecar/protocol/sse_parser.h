#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace mm::sidecar {

// Incremental Server-Sent Events parser (WHATWG HTML "event stream" syntax):
// feed bytes as they arrive in any split; each complete event's data (the "data:"
// lines joined by '\n') is delivered once. Lines may end in \n, \r\n or \r. A
// line or event longer than max_event_bytes is skipped and counted, so memory stays
// bounded whatever the model sends.
class SseParser {
 public:
  using EventHandler = std::function<void(std::string_view data)>;
  explicit SseParser(size_t max_event_bytes = 1 << 20) : max_event_bytes_(max_event_bytes) {}

  void Feed(std::string_view bytes, const EventHandler& on_event);
  size_t oversized_events() const { return oversized_; }

 private:
  void Line(std::string_view line, const EventHandler& on_event);

  size_t max_event_bytes_;
  std::string line_;
  std::string data_;
  bool has_data_ = false;
  bool skipping_ = false;        // inside an oversized line or event
  bool after_cr_ = false;        // last byte was \r: a following \n ends nothing
  bool line_has_bytes_ = false;  // the current line is not blank
  size_t oversized_ = 0;
};

}  // namespace mm::sidecar
