#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace mm::dev {

// How the local kubelet turns a container image into a local command. There is
// no container runtime, so each image a pod may use is mapped to a command line
// in a small YAML file:
//
//   sidecar:
//     imageContains: modelmonitor-sidecar      # these containers run the built sidecar
//   images:
//   - image: modelmonitor/demo-model:*          # exact, or a glob (* and ?)
//     command: ["${MM_DEMO_PYTHON}", "serve.py", "--host", "${POD_IP}", "--port", "${PORT}"]
//     workingDir: ${MM_SOURCE_DIR}/examples/demo  # optional
//     env: {MODEL_VERSION: "${IMAGE_TAG}"}        # optional, added to the container's env
//
// ${NAME} is a pod variable (POD_IP, PORT: the container's first declared port,
// POD_NAME, POD_NAMESPACE, CONTAINER_NAME, IMAGE, IMAGE_TAG) or else an
// environment variable of the kubelet; an unknown name is an error, never "".
// The container's args follow the mapped command; its `command` is ignored (it
// names a path inside the image).
struct ImageCommand {
  std::string image;  // pattern
  std::vector<std::string> command;
  std::string working_dir;
  std::map<std::string, std::string> env;
};

struct KubeletConfig {
  std::string sidecar_image_contains = "modelmonitor-sidecar";
  std::vector<ImageCommand> images;

  bool IsSidecarImage(const std::string& image) const;
  // The first mapping whose pattern matches `image`, or nullptr.
  const ImageCommand* CommandFor(const std::string& image) const;
};

Result<KubeletConfig> ParseKubeletConfig(const std::string& yaml_text);
Result<KubeletConfig> LoadKubeletConfig(const std::string& path);

// Replaces each ${NAME} with `vars` (first) or `env` (then); "$$" is a literal "$".
using EnvLookup = const char* (*)(const char*);
Result<std::string> ExpandVariables(const std::string& text,
                                    const std::map<std::string, std::string>& vars,
                                    EnvLookup env = nullptr);

}  // namespace mm::dev
