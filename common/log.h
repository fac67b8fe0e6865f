#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace mm::log {

enum class Level { kDebug, kInfo, kWarning, kError };

// Structured logs: one JSON object per line on stderr, e.g.
// {"ts":"2026-11-22T04:50:01.123Z","level":"info","msg":"cache synced","resource":"pods"}.
// Never pass secrets or tokens as fields.
void Write(Level level, std::string_view msg,
           const nlohmann::json& fields = nlohmann::json::object());
void SetMinLevel(Level level);
// Parses "debug", "info", "warning" or "error"; false if the name is none of them.
bool ParseLevel(std::string_view name, Level* out);

inline void Debug(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  Write(Level::kDebug, m, f);
}
inline void Info(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  Write(Level::kInfo, m, f);
}
inline void Warning(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  Write(Level::kWarning, m, f);
}
inline void Error(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  Write(Level::kError, m, f);
}

}  // namespace mm::log
