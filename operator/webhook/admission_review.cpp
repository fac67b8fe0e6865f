#include "operator/webhook/admission_review.h"

#include "common/base64.h"

namespace mm::webhook {
namespace {

using nlohmann::json;

constexpr std::string_view kApiVersion = "admission.k8s.io/v1";

// The deepest nesting of arrays and objects, counted outside strings, stopping
// early past `limit`. Done before parsing so a hostile document never reaches
// the parser's recursion.
size_t NestingDepth(std::string_view text, size_t limit) {
  size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// A string field of `obj`, "" when absent; an error when present but not a string.
Result<std::string> StringField(const json& obj, const char* key, const std::string& where) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::string();
  if (!it->is_string()) return Error{where + "." + key + ": must be a string"};
  return it->get<std::string>();
}

}  // namespace

Result<AdmissionRequest> DecodeAdmissionReview(std::string_view body,
                                               const AdmissionLimits& limits) {
  if (body.empty()) return Error{"empty body: send an admission.k8s.io/v1 AdmissionReview"};
  if (body.size() > limits.max_body_bytes) {
    return Error{"body of " + std::to_string(body.size()) + " bytes is over the limit of " +
                 std::to_string(limits.max_body_bytes) + " bytes"};
  }
  if (NestingDepth(body, limits.max_depth) > limits.max_depth) {
    return Error{"JSON nested deeper than " + std::to_string(limits.max_depth) + " levels"};
  }
  json review = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (review.is_discarded()) {
    return Error{
        "body is not valid JSON (truncated?): send an admission.k8s.io/v1 AdmissionReview"};
  }
  if (!review.is_object()) return Error{"body must be a JSON object (an AdmissionReview)"};
  auto kind = StringField(review, "kind", "AdmissionReview");
  if (!kind) return kind.error();
  if (kind.value() != "AdmissionReview") {
    return Error{"kind \"" + kind.value() + "\" is not supported (send kind: AdmissionReview)"};
  }
  auto api_version = StringField(review, "apiVersion", "AdmissionReview");
  if (!api_version) return api_version.error();
  if (api_version.value() != kApiVersion) {
    return Error{"apiVersion \"" + api_version.value() +
                 "\" is not supported (send admission.k8s.io/v1; set admissionReviewVersions: "
                 "[\"v1\"])"};
  }
  const auto req_it = review.find("request");
  if (req_it == review.end() || !req_it->is_object()) {
    return Error{"request: required, an object (this webhook answers requests, not responses)"};
  }
  const json& req = *req_it;
  AdmissionRequest out;
  auto uid = StringField(req, "uid", "request");
  if (!uid) return uid.error();
  if (uid->empty()) return Error{"request.uid: required, the response must echo it"};
  if (uid->size() > 256) return Error{"request.uid: longer than 256 characters"};
  out.uid = std::move(uid).value();

  const auto kind_it = req.find("kind");
  if (kind_it == req.end() || !kind_it->is_object()) {
    return Error{"request.kind: required, {group, version, kind}"};
  }
  for (auto [field, dest] : {std::pair{"kind", &out.kind}, std::pair{"group", &out.group},
                             std::pair{"version", &out.version}}) {
    auto v = StringField(*kind_it, field, "request.kind");
    if (!v) return v.error();
    *dest = std::move(v).value();
  }
  if (const auto res_it = req.find("resource"); res_it != req.end() && res_it->is_object()) {
    auto r = StringField(*res_it, "resource", "request.resource");
    if (!r) return r.error();
    out.resource = std::move(r).value();
  }
  for (auto [field, dest] :
       {std::pair{"operation", &out.operation}, std::pair{"namespace", &out.ns},
        std::pair{"name", &out.name}, std::pair{"subResource", &out.subresource}}) {
    auto v = StringField(req, field, "request");
    if (!v) return v.error();
    *dest = std::move(v).value();
  }
  if (out.operation.empty()) return Error{"request.operation: required (CREATE, UPDATE, ...)"};
  if (const auto dry = req.find("dryRun"); dry != req.end() && !dry->is_null()) {
    if (!dry->is_boolean()) return Error{"request.dryRun: must be a boolean"};
    out.dry_run = dry->get<bool>();
  }
  if (const auto obj = req.find("object"); obj != req.end() && !obj->is_null()) {
    if (!obj->is_object()) return Error{"request.object: must be an object"};
    out.object = *obj;
  }
  if (out.operation == "CREATE" && out.object.is_null()) {
    return Error{"request.object: required for CREATE"};
  }
  return out;
}

json EncodeAdmissionReview(const AdmissionResponse& r) {
  json response = {{"uid", r.uid}, {"allowed", r.allowed}};
  if (r.patch.is_array() && !r.patch.empty()) {
    response["patchType"] = "JSONPatch";
    response["patch"] = Base64Encode(r.patch.dump());
  }
  if (!r.warnings.empty()) response["warnings"] = r.warnings;
  if (!r.audit_annotations.empty()) response["auditAnnotations"] = r.audit_annotations;
  if (!r.allowed) {
    response["status"] = {{"message", r.message}, {"code", r.code ? r.code : 403}};
  }
  return {{"apiVersion", kApiVersion}, {"kind", "AdmissionReview"}, {"response", response}};
}

}  // namespace mm::webhook
