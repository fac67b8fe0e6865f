#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

namespace mm::dev {

// Is something accepting TCP connections at ip:port?
bool TcpOpen(const std::string& ip, int port, std::chrono::milliseconds timeout);

// The HTTP status of GET `path` at ip:port (HTTP/1.0), or 0 when there is no answer.
int HttpGetStatus(const std::string& ip, int port, const std::string& path,
                  std::chrono::milliseconds timeout);

// Runs the container's readinessProbe once against the pod's IP the way the
// kubelet does (httpGet: 200..399; tcpSocket: connects; exec: not run, counts as
// passing). Without a probe a container that declares ports is ready when its
// first port accepts connections; one without ports, once running.
bool ContainerReady(const nlohmann::json& container, const std::string& pod_ip,
                    std::chrono::milliseconds timeout = std::chrono::milliseconds(500));

}  // namespace mm::dev
