#pragma once

// tls.watch: one thread that notices when the trust material changes on disk, and a daily timer.
//
// inotify watches the parent directories of the files, not the files: an atomic rename (write a
// temporary file, rename it over the old one) replaces the inode, and a Kubernetes secret swaps a
// symlink (file -> ..data/file, ..data -> ..2026_x), so only the directory sees the change. The
// directories of symlink targets are watched too. After the last event of a burst (debounced, and
// at most `debounce_max` after the first one), the contents of every file are hashed (SHA-256);
// only when the digest differs from the last one tried is `changed` called. Where inotify is not
// available (no instance or watch left), the digest is checked every `poll` instead.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace imcb::detail {

struct WatcherHooks {
    /// The files to watch, as in force now (asked again after each change).
    std::function<std::vector<std::string>()> files;
    /// The digest of the files changed: reload and report. Called on the watcher thread.
    std::function<void()> changed;
    /// Once a `daily` period (the expiry check).
    std::function<void()> daily;
    /// inotify is unavailable: checking by polling (reported once).
    std::function<void(const std::string&)> notice;
};

struct WatcherTiming {
    bool watch = true;  ///< false: only the daily timer runs
    std::chrono::milliseconds debounce{250};
    std::chrono::milliseconds debounce_max{2000};
    std::chrono::milliseconds poll{2000};
    std::chrono::milliseconds daily{std::chrono::hours(24)};
    bool force_polling = false;  ///< behave as if inotify were unavailable (tests)
};

/// SHA-256 (hex) over the files' names and contents, in order; a missing or unreadable file
/// counts as such, so that its return is a change too.
std::string files_digest(const std::vector<std::string>& files);

/// The directories whose entries decide what the files' paths lead to: each file's parent, and
/// the parent of every symlink target on the way to the real file.
std::vector<std::string> watch_dirs(const std::vector<std::string>& files);

class FileWatcher {
  public:
    FileWatcher(WatcherHooks hooks, WatcherTiming timing);
    ~FileWatcher();
    FileWatcher(const FileWatcher&) = delete;
    FileWatcher& operator=(const FileWatcher&) = delete;

    /// Takes the files' digest and sets the watches (so that any change from now on is seen),
    /// then starts the thread. Throws ConfigError when the system refuses the thread.
    void start();
    /// Wakes the thread and joins it (it finishes the check in progress, if any). From the
    /// watcher thread itself (a report handler that stops the receiver) it only asks it to end.
    void stop() noexcept;

    /// A reload happened (from SIGHUP, the SDK or this watcher): asks `files` again, takes their
    /// digest and watches them, before returning, so that no later change is missed.
    void files_changed();

  private:
    void run();
    void wake() noexcept;
    void take_files();   // under mu_
    void emit_notice();  // reports a fall_back() outside mu_
    void fall_back(const char* call);
    void refresh_watches();
    void check();

    WatcherHooks hooks_;
    WatcherTiming timing_;
    int wake_fd_ = -1;
    std::mutex mu_;  // the files, their digest and the watches (never held while calling `changed`)
    int inotify_fd_ = -1;
    std::atomic<bool> polling_{false};
    std::string notice_;  // a fall_back() not reported yet
    std::vector<std::string> files_;
    std::string last_;                    // digest of the contents last tried
    std::map<std::string, int> watched_;  // directory -> watch descriptor
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace imcb::detail
