#include "dev/local_kubelet/readiness_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "dev/local_kubelet/container_launch.h"

namespace mm::dev {
namespace {

using Clock = std::chrono::steady_clock;

int RemainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// A connected non-blocking socket, or -1.
int Connect(const std::string& ip, int port, Clock::time_point deadline) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (port <= 0 || port > 65535 || inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) return -1;
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (errno != EINPROGRESS) {
      close(fd);
      return -1;
    }
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof(err);
    if (poll(&p, 1, RemainingMs(deadline)) != 1 ||
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
      close(fd);
      return -1;
    }
  }
  return fd;
}

}  // namespace

bool TcpOpen(const std::string& ip, int port, std::chrono::milliseconds timeout) {
  const int fd = Connect(ip, port, Clock::now() + timeout);
  if (fd < 0) return false;
  close(fd);
  return true;
}

int HttpGetStatus(const std::string& ip, int port, const std::string& path,
                  std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const int fd = Connect(ip, port, deadline);
  if (fd < 0) return 0;
  const std::string request = "GET " + (path.empty() ? std::string("/") : path) +
                              " HTTP/1.0\r\nHost: " + ip +
                              "\r\nUser-Agent: mm-local-kubelet\r\n\r\n";
  size_t sent = 0;
  std::string head;
  while (sent < request.size()) {
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, RemainingMs(deadline)) != 1) break;
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  while (sent == request.size() && head.find("\r\n") == std::string::npos && head.size() < 4096) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, RemainingMs(deadline)) != 1) break;
    char buf[512];
    const ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    head.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  // "HTTP/1.1 200 OK"
  if (head.rfind("HTTP/", 0) != 0) return 0;
  const size_t sp = head.find(' ');
  if (sp == std::string::npos || sp + 4 > head.size()) return 0;
  const std::string code = head.substr(sp + 1, 3);
  if (code.find_first_not_of("0123456789") != std::string::npos) return 0;
  return std::stoi(code);
}

bool ContainerReady(const nlohmann::json& container, const std::string& pod_ip,
                    std::chrono::milliseconds timeout) {
  const auto probe = container.value("readinessProbe", nlohmann::json());
  if (probe.is_object()) {
    if (probe.contains("httpGet")) {
      const auto& get = probe["httpGet"];
      const auto port = ResolvePort(container, get.value("port", nlohmann::json()));
      if (!port) return false;
      const int code = HttpGetStatus(get.value("host", pod_ip), *port,
                                     get.value("path", std::string("/")), timeout);
      return code >= 200 && code < 400;
    }
    if (probe.contains("tcpSocket")) {
      const auto& tcp = probe["tcpSocket"];
      const auto port = ResolvePort(container, tcp.value("port", nlohmann::json()));
      return port && TcpOpen(tcp.value("host", pod_ip), *port, timeout);
    }
    return true;  // exec and grpc probes are not run locally
  }
  const auto ports = container.value("ports", nlohmann::json::array());
  if (ports.is_array() && !ports.empty() && ports[0].contains("containerPort")) {
    return TcpOpen(pod_ip, ports[0]["containerPort"].get<int>(), timeout);
  }
  return true;
}

}  // namespace mm::dev
