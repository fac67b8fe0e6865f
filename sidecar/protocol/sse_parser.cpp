#include "sidecar/protocol/sse_parser.h"

namespace mm::sidecar {

void SseParser::Feed(std::string_view bytes, const EventHandler& on_event) {
  for (size_t i = 0; i < bytes.size();) {
    const char c = bytes[i];
    if (after_cr_ && c == '\n') {  // the \n of a \r\n pair
      after_cr_ = false;
      ++i;
      continue;
    }
    after_cr_ = false;
    if (c == '\n' || c == '\r') {
      after_cr_ = c == '\r';
      if (!skipping_) {
        Line(line_, on_event);
      } else if (!line_has_bytes_) {
        skipping_ = false;  // the blank line ending the oversized event: it is dropped
      }
      line_.clear();
      line_has_bytes_ = false;
      ++i;
      continue;
    }
    // Copy up to the next line end in one go.
    size_t end = i;
    while (end < bytes.size() && bytes[end] != '\n' && bytes[end] != '\r') ++end;
    line_has_bytes_ = true;
    if (!skipping_) {
      if (line_.size() + (end - i) + data_.size() > max_event_bytes_) {
        skipping_ = true;
        ++oversized_;
        line_.clear();
        data_.clear();
        has_data_ = false;
      } else {
        line_.append(bytes.data() + i, end - i);
      }
    }
    i = end;
  }
}

void SseParser::Line(std::string_view line, const EventHandler& on_event) {
  if (line.empty()) {  // blank line: dispatch
    if (has_data_) on_event(data_);
    data_.clear();
    has_data_ = false;
    return;
  }
  if (line[0] == ':') return;  // comment
  const size_t colon = line.find(':');
  const std::string_view field = line.substr(0, colon);
  std::string_view value =
      colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
  if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
  if (field != "data") return;  // event, id, retry: not needed here
  if (has_data_) data_.push_back('\n');
  data_.append(value);
  has_data_ = true;
}

}  // namespace mm::sidecar
