#include "sidecar/protocol/instance_prediction.h"

#include <algorithm>

namespace mm::sidecar {

namespace {

std::string CompactJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The number `v` holds; v.is_number().
double Number(const nlohmann::json& v) {
  if (const auto* d = v.get_ptr<const nlohmann::json::number_float_t*>()) return *d;
  return v.get<double>();
}

// The output of the array elements [begin, end): a row of numbers, else their array
// as JSON. Pointers, not json iterators: those switch on the type at every step.
InstanceOutput FromElements(const nlohmann::json* begin, const nlohmann::json* end) {
  InstanceOutput p;
  if (begin != end &&
      std::all_of(begin, end, [](const nlohmann::json& v) { return v.is_number(); })) {
    p.row = true;
    p.numbers.resize(static_cast<size_t>(end - begin));
    std::transform(begin, end, p.numbers.begin(), Number);
  } else {
    p.json = CompactJson(nlohmann::json(nlohmann::json::array_t(begin, end)));
  }
  return p;
}

const nlohmann::json* Elements(const nlohmann::json& array) {
  return array.get_ref<const nlohmann::json::array_t&>().data();
}

}  // namespace

InstanceOutput InstancePrediction(const nlohmann::json& instance) {
  if (instance.is_array()) {
    return FromElements(Elements(instance), Elements(instance) + instance.size());
  }
  InstanceOutput p;
  if (instance.is_number()) {
    p.numbers.push_back(Number(instance));
  } else if (instance.is_boolean()) {
    p.numbers.push_back(instance.get<bool>() ? 1.0 : 0.0);
  } else {
    p.json = CompactJson(instance);
  }
  return p;
}

InstanceOutput InstanceRow(const nlohmann::json& flat, size_t first, size_t width) {
  const nlohmann::json* begin = Elements(flat) + first;
  return FromElements(begin, begin + width);
}

}  // namespace mm::sidecar
