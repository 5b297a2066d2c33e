#include "support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

namespace imcb::test {
namespace {

using Clock = std::chrono::steady_clock;

int spawn(const std::vector<std::string>& argv, int* in_fd, int* out_fd, int* err_fd) {
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
        return -1;
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(in[0], 0);
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    *in_fd = in[1];
    *out_fd = out[0];
    *err_fd = err[0];
    return pid;
}

// Reads what is available from fd into dst; false at EOF.
bool read_some(int fd, std::string& dst) {
    char buf[8192];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
        dst.append(buf, static_cast<std::size_t>(n));
        return true;
    }
    return false;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& stdin_data,
                          std::chrono::milliseconds limit) {
    ProcessResult r;
    int in_fd = -1, out_fd = -1, err_fd = -1;
    const int pid = spawn(argv, &in_fd, &out_fd, &err_fd);
    if (pid < 0) return r;
    if (!stdin_data.empty()) {
        [[maybe_unused]] const auto n = ::write(in_fd, stdin_data.data(), stdin_data.size());
    }
    ::close(in_fd);
    const auto deadline = Clock::now() + limit;
    bool out_open = true, err_open = true;
    while ((out_open || err_open) && Clock::now() < deadline) {
        pollfd p[2] = {{out_open ? out_fd : -1, POLLIN, 0}, {err_open ? err_fd : -1, POLLIN, 0}};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (::poll(p, 2, static_cast<int>(std::max<long>(1, left.count()))) <= 0) continue;
        if (p[0].revents != 0) out_open = read_some(out_fd, r.out);
        if (p[1].revents != 0) err_open = read_some(err_fd, r.err);
    }
    int status = 0;
    if (out_open || err_open) ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    ::close(out_fd);
    ::close(err_fd);
    if (!out_open && !err_open && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    return r;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv) {
    int in_fd = -1;
    pid_ = spawn(argv, &in_fd, &out_fd_, &err_fd_);
    ::close(in_fd);
    ::fcntl(out_fd_, F_SETFL, O_NONBLOCK);
    ::fcntl(err_fd_, F_SETFL, O_NONBLOCK);
}

BackgroundProcess::~BackgroundProcess() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    ::close(out_fd_);
    ::close(err_fd_);
}

std::string BackgroundProcess::wait_for_stderr(const std::string& text, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (err_.find(text) == std::string::npos && Clock::now() < deadline) {
        pollfd p{err_fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) > 0 && !read_some(err_fd_, err_)) break;
    }
    return err_;
}

std::string BackgroundProcess::drain_stdout() {
    while (read_some(out_fd_, out_)) {
    }
    return out_;
}

void BackgroundProcess::signal(int signal) {
    if (pid_ > 0) ::kill(pid_, signal);
}

int BackgroundProcess::stop(int signal, std::chrono::milliseconds limit) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, signal);
    const auto deadline = Clock::now() + limit;
    int status = 0;
    while (Clock::now() < deadline) {
        drain_stdout();
        while (read_some(err_fd_, err_)) {
        }
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            drain_stdout();
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
}

}  // namespace imcb::test
