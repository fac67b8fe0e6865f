#include "sidecar/protocol/json_selection.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <system_error>

namespace mm::sidecar {

using nlohmann::json;

namespace {

// Builds the selected parts of a document from its parse events (the order of
// nlohmann's SAX interface). Values outside the selection are only counted through.
class SelectionBuilder {
 public:
  SelectionBuilder(const JsonSelection& selection, json& root)
      : selection_(selection), root_(root) {}

  template <typename V>
  void Scalar(V&& value) {
    if (skip_depth_ > 0) return;
    if (json* slot = Next().first) *slot = json(std::forward<V>(value));
  }
  void String(std::string_view value) {
    if (skip_depth_ > 0) return;
    if (json* slot = Next().first) *slot = std::string(value);
  }
  void Start(json::value_t type) {
    StartInner(type);
    depth_ = std::max(depth_, open_.size() + skip_depth_);
  }
  // The deepest nesting seen, of selected parts and others alike.
  size_t depth() const { return depth_; }
  void StartInner(json::value_t type) {
    if (skip_depth_ > 0) {
      ++skip_depth_;
      return;
    }
    auto [slot, node] = Next();
    if (slot == nullptr) {
      skip_depth_ = 1;
      return;
    }
    *slot = json(type);
    open_.push_back(Open{slot, node});
  }
  void End() {
    if (skip_depth_ > 0) {
      --skip_depth_;
      return;
    }
    open_.pop_back();
  }
  void Key(std::string_view name) {
    if (skip_depth_ > 0) return;
    Open& o = open_.back();
    o.member = selection_.Member(o.node, name);
    o.slot = o.member < 0 ? nullptr : &o.container->get_ref<json::object_t&>()[std::string(name)];
  }

 private:
  // An object or array being built.
  struct Open {
    json* container;
    int32_t node;
    size_t elements = 0;
    int32_t member = -1;   // objects: the node of the current key's value
    json* slot = nullptr;  // objects: where that value goes (nullptr: not selected)
  };

  // Where the next value goes (nullptr: nowhere) and its node.
  std::pair<json*, int32_t> Next() {
    if (open_.empty()) return {&root_, 0};
    Open& o = open_.back();
    if (o.container->is_object()) return {o.slot, o.member};
    const int32_t node = selection_.Element(o.node, o.elements++);
    auto& array = o.container->get_ref<json::array_t&>();
    array.emplace_back();  // an unselected element is null: the array keeps its length
    return {node < 0 ? nullptr : &array.back(), node};
  }

  const JsonSelection& selection_;
  json& root_;
  std::vector<Open> open_;
  size_t skip_depth_ = 0;  // > 0 inside an unselected object or array
  size_t depth_ = 0;
};

// nlohmann's SAX interface over a SelectionBuilder.
class SelectionSax {
 public:
  explicit SelectionSax(SelectionBuilder& b) : b_(b) {}
  bool null() { return Scalar(nullptr); }
  bool boolean(bool v) { return Scalar(v); }
  bool number_integer(json::number_integer_t v) { return Scalar(v); }
  bool number_unsigned(json::number_unsigned_t v) { return Scalar(v); }
  bool number_float(json::number_float_t v, const json::string_t& /*text*/) { return Scalar(v); }
  bool string(json::string_t& v) { return Scalar(std::move(v)); }
  bool binary(json::binary_t& v) { return Scalar(std::move(v)); }  // not in JSON text
  bool start_object(size_t /*elements*/) { return Start(json::value_t::object); }
  bool start_array(size_t /*elements*/) { return Start(json::value_t::array); }
  bool end_object() { return End(); }
  bool end_array() { return End(); }
  bool key(json::string_t& name) {
    b_.Key(name);
    return true;
  }
  bool parse_error(size_t /*position*/, const std::string& /*token*/,
                   const nlohmann::detail::exception& /*error*/) {
    return false;
  }

 private:
  template <typename V>
  bool Scalar(V&& v) {
    b_.Scalar(std::forward<V>(v));
    return true;
  }
  bool Start(json::value_t type) {
    b_.Start(type);
    return true;
  }
  bool End() {
    b_.End();
    return true;
  }
  SelectionBuilder& b_;
};

// A JSON scanner for documents whose strings are printable ASCII without escapes.
// It follows nlohmann's grammar and number rules (integers to int64 when negative,
// else uint64; the rest to the nearest double, as strtod gives), and gives up on
// everything it does not handle itself, so Parse falls back to nlohmann: escapes,
// bytes outside 0x20-0x7f, integers out of range, doubles out of range, and any
// syntax error (the fallback reports it). No recursion: nesting depth is unbounded.
class PlainScanner {
 public:
  PlainScanner(std::string_view text, SelectionBuilder& b)
      : p_(text.data()), end_(text.data() + text.size()), b_(b) {}

  bool Scan() {
    enum { kValue, kKey, kAfterValue } state = kValue;
    for (;;) {
      SkipSpace();
      if (p_ == end_) return false;
      if (state == kKey) {
        std::string_view name;
        if (*p_ != '"' || !String(name)) return false;
        b_.Key(name);
        SkipSpace();
        if (p_ == end_ || *p_ != ':') return false;
        ++p_;
        state = kValue;
      } else if (state == kValue) {
        const char c = *p_;
        if (c == '{' || c == '[') {
          ++p_;
          b_.Start(c == '{' ? json::value_t::object : json::value_t::array);
          open_.push_back(c);
          SkipSpace();
          if (p_ != end_ && *p_ == (c == '{' ? '}' : ']')) {
            ++p_;
            b_.End();
            open_.pop_back();
            state = kAfterValue;
          } else {
            state = c == '{' ? kKey : kValue;
          }
        } else if (c == '"') {
          std::string_view s;
          if (!String(s)) return false;
          b_.String(s);
        } else if (c == '-' || (c >= '0' && c <= '9')) {
          if (!Number()) return false;
        } else if (Literal("true")) {
          b_.Scalar(true);
        } else if (Literal("false")) {
          b_.Scalar(false);
        } else if (Literal("null")) {
          b_.Scalar(nullptr);
        } else {
          return false;
        }
        if (c != '{' && c != '[') state = kAfterValue;
      } else {                            // kAfterValue
        if (open_.empty()) return false;  // text after the document
        const char c = *p_++;
        if (c == ',') {
          state = open_.back() == '{' ? kKey : kValue;
        } else if (c == (open_.back() == '{' ? '}' : ']')) {
          b_.End();
          open_.pop_back();
          if (open_.empty()) {
            SkipSpace();
            return p_ == end_;
          }
        } else {
          return false;
        }
      }
      if (state == kAfterValue && open_.empty()) {  // a scalar document
        SkipSpace();
        return p_ == end_;
      }
    }
  }

 private:
  void SkipSpace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  // At '"': the contents up to the closing quote.
  bool String(std::string_view& out) {
    const char* start = ++p_;
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out = std::string_view(start, p_ - start);
        ++p_;
        return true;
      }
      if (c == '\\' || c < 0x20 || c >= 0x80) return false;
      ++p_;
    }
    return false;
  }

  static bool Digit(char c) { return c >= '0' && c <= '9'; }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool Number() {
    const char* start = p_;
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_ || !Digit(*p_)) return false;
    if (*p_++ != '0') {
      while (p_ != end_ && Digit(*p_)) ++p_;
    }
    bool integer = true;
    if (p_ != end_ && *p_ == '.') {
      integer = false;
      ++p_;
      if (p_ == end_ || !Digit(*p_)) return false;
      while (p_ != end_ && Digit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      integer = false;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !Digit(*p_)) return false;
      while (p_ != end_ && Digit(*p_)) ++p_;
    }
    if (integer && negative) {
      int64_t v = 0;
      if (std::from_chars(start, p_, v).ec != std::errc{}) return false;
      b_.Scalar(static_cast<json::number_integer_t>(v));
    } else if (integer) {
      uint64_t v = 0;
      if (std::from_chars(start, p_, v).ec != std::errc{}) return false;
      b_.Scalar(static_cast<json::number_unsigned_t>(v));
    } else {
      // Correctly rounded like strtod; out of range (overflow, and underflow, where
      // strtod's answer is wanted) is left to nlohmann.
      double v = 0;
      const auto [end, ec] = std::from_chars(start, p_, v);
      if (ec != std::errc{} || end != p_ || !std::isfinite(v)) return false;
      b_.Scalar(v);
    }
    return true;
  }

  const char* p_;
  const char* end_;
  SelectionBuilder& b_;
  std::vector<char> open_;  // '{' or '[' per open container
};

}  // namespace

JsonSelection::JsonSelection(const std::vector<JsonPath>& paths) {
  nodes_.emplace_back();
  for (const JsonPath& path : paths) {
    int32_t at = 0;
    for (const JsonPath::Step& step : path.steps()) {
      if (nodes_[at].whole) break;
      int32_t next = -1;
      if (const auto* name = std::get_if<std::string>(&step)) {
        for (const auto& [n, i] : nodes_[at].names) next = n == *name ? i : next;
        if (next < 0) nodes_[at].names.emplace_back(*name, next = int32_t(nodes_.size()));
      } else if (const auto* index = std::get_if<size_t>(&step)) {
        for (const auto& [n, i] : nodes_[at].indices) next = n == *index ? i : next;
        if (next < 0) nodes_[at].indices.emplace_back(*index, next = int32_t(nodes_.size()));
      } else {
        next = nodes_[at].any;
        if (next < 0) nodes_[at].any = next = int32_t(nodes_.size());
      }
      if (next == int32_t(nodes_.size())) nodes_.emplace_back();
      at = next;
    }
    nodes_[at].whole = true;
  }
  // A node with [*] beside names or indices would need the union of two subtrees:
  // it is kept whole instead (more than needed, never less).
  for (Node& n : nodes_) {
    if (n.any >= 0 && (!n.names.empty() || !n.indices.empty())) n.whole = true;
  }
}

size_t NestingDepth(const json& doc) {
  size_t deepest = 0;
  std::vector<std::pair<const json*, size_t>> pending = {{&doc, 0}};
  while (!pending.empty()) {
    const auto [node, depth] = pending.back();
    pending.pop_back();
    if (!node->is_structured()) continue;
    deepest = std::max(deepest, depth + 1);
    for (const json& child : *node) pending.emplace_back(&child, depth + 1);
  }
  return deepest;
}

Error TooDeep() {
  return Error{"the model response nests objects and arrays deeper than " +
               std::to_string(JsonSelection::kMaxDepth) + " levels"};
}

JsonSelection JsonSelection::Everything() {
  JsonSelection s;
  s.everything_ = true;
  return s;
}

int32_t JsonSelection::Member(int32_t node, std::string_view name) const {
  const Node& n = nodes_[node];
  if (n.whole) return node;
  for (const auto& [key, child] : n.names) {
    if (key == name) return child;
  }
  return n.any;
}

int32_t JsonSelection::Element(int32_t node, size_t index) const {
  const Node& n = nodes_[node];
  if (n.whole) return node;
  for (const auto& [i, child] : n.indices) {
    if (i == index) return child;
  }
  return n.any;
}

Result<json> JsonSelection::Parse(std::string_view body) const {
  if (everything_) return ParseAny(body);
  if (auto doc = ParsePlain(body)) return std::move(*doc);
  return ParseAny(body);
}

std::optional<json> JsonSelection::ParsePlain(std::string_view body) const {
  if (everything_) return std::nullopt;
  json doc;
  SelectionBuilder builder(*this, doc);
  if (!PlainScanner(body, builder).Scan() || builder.depth() > kMaxDepth) return std::nullopt;
  return doc;
}

Result<json> JsonSelection::ParseAny(std::string_view body) const {
  const Error invalid{"the model response is not valid JSON (" + std::to_string(body.size()) +
                      " bytes)"};
  if (everything_) {
    json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return invalid;
    if (NestingDepth(doc) > kMaxDepth) return TooDeep();
    return doc;
  }
  json doc;
  SelectionBuilder builder(*this, doc);
  SelectionSax sax(builder);
  if (!json::sax_parse(body, &sax)) return invalid;
  if (builder.depth() > kMaxDepth) return TooDeep();
  return doc;
}

}  // namespace mm::sidecar
