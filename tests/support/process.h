#pragma once

// Runs a real program (curl, openssl, imcb-server) with a time limit and captures its output.

#include <chrono>
#include <string>
#include <vector>

namespace imcb::test {

struct ProcessResult {
    int exit_code = -1;  ///< -1 when killed at the time limit
    std::string out;     ///< stdout
    std::string err;     ///< stderr
};

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& stdin_data = {},
                          std::chrono::milliseconds limit = std::chrono::seconds(30));

/// A program left running in the background; killed (SIGKILL) by the destructor if still alive.
class BackgroundProcess {
  public:
    explicit BackgroundProcess(const std::vector<std::string>& argv);
    ~BackgroundProcess();
    BackgroundProcess(const BackgroundProcess&) = delete;
    BackgroundProcess& operator=(const BackgroundProcess&) = delete;

    /// Waits until stderr contains `text` (or the limit passes); returns everything read so far.
    std::string wait_for_stderr(const std::string& text, std::chrono::milliseconds limit);
    /// Sends a signal and returns at once.
    void signal(int signal);
    /// Sends a signal and waits for exit; returns the exit code (-1 on timeout).
    int stop(int signal, std::chrono::milliseconds limit);
    std::string drain_stdout();

  private:
    int pid_ = -1;
    int out_fd_ = -1;
    int err_fd_ = -1;
    std::string out_;
    std::string err_;
};

}  // namespace imcb::test
