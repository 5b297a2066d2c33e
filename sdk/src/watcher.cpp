#include "watcher.h"

#include <limits.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <system_error>

#include <openssl/evp.h>

#include "imcb/errors.h"
#include "openssl_ptr.h"
#include "threads.h"
#include "hex.h"

namespace imcb::detail {
namespace {

using Clock = std::chrono::steady_clock;
using EvpMdCtxPtr = OsslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;

constexpr std::size_t kMaxDigestBytes = 64u << 20;  // per file: certificate files are small
constexpr int kMaxSymlinkHops = 16;
constexpr std::uint32_t kDirEvents = IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB | IN_CREATE | IN_DELETE |
                                     IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

std::string parent_of(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

int ms_until(Clock::time_point now, Clock::time_point when) {
    if (when <= now) return 0;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(when - now).count() + 1;
    return static_cast<int>(std::min<long long>(ms, INT_MAX));
}

}  // namespace

std::string files_digest(const std::vector<std::string>& files) {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return {};
    char buf[16 * 1024];
    for (const auto& name : files) {
        EVP_DigestUpdate(ctx.get(), name.c_str(), name.size() + 1);  // with its NUL: a separator
        std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(name.c_str(), "rb"), &std::fclose);
        if (!f) {
            const char missing[] = "\x01missing";
            EVP_DigestUpdate(ctx.get(), missing, sizeof missing);
            continue;
        }
        std::size_t total = 0;
        std::size_t n = 0;
        while (total < kMaxDigestBytes && (n = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
            EVP_DigestUpdate(ctx.get(), buf, n);
            total += n;
        }
        const std::string size = "\x02" + std::to_string(total);
        EVP_DigestUpdate(ctx.get(), size.c_str(), size.size() + 1);
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (EVP_DigestFinal_ex(ctx.get(), md, &len) != 1) return {};
    return hex_lower(md, len);
}

std::vector<std::string> watch_dirs(const std::vector<std::string>& files) {
    std::set<std::string> dirs;
    for (const auto& file : files) {
        std::string p = file;
        dirs.insert(parent_of(p));
        for (int hop = 0; hop < kMaxSymlinkHops; ++hop) {
            char target[PATH_MAX];
            const ssize_t n = ::readlink(p.c_str(), target, sizeof target - 1);
            if (n <= 0) break;
            target[n] = '\0';
            p = target[0] == '/' ? std::string(target) : parent_of(p) + "/" + target;
            dirs.insert(parent_of(p));
        }
        // The directories along the way may be symlinks themselves (..data -> ..2026_x).
        char real[PATH_MAX];
        if (::realpath(file.c_str(), real) != nullptr) dirs.insert(parent_of(real));
    }
    return {dirs.begin(), dirs.end()};
}

FileWatcher::FileWatcher(WatcherHooks hooks, WatcherTiming timing)
    : hooks_(std::move(hooks)), timing_(timing) {}

FileWatcher::~FileWatcher() { stop(); }

void FileWatcher::fall_back(const char* call) {
    if (polling_.exchange(true)) return;
    notice_ = std::string("tls.watch: ") + call + ": " + std::strerror(errno) +
              ": inotify is unavailable, the trust files are checked every " +
              std::to_string(timing_.poll.count()) +
              " ms instead (raise fs.inotify.max_user_instances or "
              "fs.inotify.max_user_watches to restore it)";
}

void FileWatcher::emit_notice() {
    std::string notice;
    {
        std::lock_guard<std::mutex> lock(mu_);
        notice.swap(notice_);
    }
    if (!notice.empty() && hooks_.notice) hooks_.notice(notice);  // user code: after the lock
}

void FileWatcher::refresh_watches() {
    if (inotify_fd_ < 0) return;
    std::map<std::string, int> next;
    for (const auto& d : watch_dirs(files_)) {
        // The same directory gives the same descriptor; a directory replaced gives a new one.
        const int wd = ::inotify_add_watch(inotify_fd_, d.c_str(), kDirEvents);
        if (wd >= 0) {
            next[d] = wd;
        } else if (errno == ENOSPC || errno == ENOMEM) {
            fall_back("inotify_add_watch");
        }  // else (a directory not there yet): its parent's events are what count
    }
    for (const auto& [d, wd] : watched_) {
        const bool kept =
            std::any_of(next.begin(), next.end(), [wd = wd](const auto& e) { return e.second == wd; });
        if (!kept) ::inotify_rm_watch(inotify_fd_, wd);
    }
    watched_.swap(next);
}

void FileWatcher::take_files() {
    files_ = hooks_.files();
    last_ = files_digest(files_);
    refresh_watches();
}

void FileWatcher::check() {
    bool changed = false;
    {
        std::lock_guard<std::mutex> lock(mu_);
        const std::string digest = files_digest(files_);
        changed = digest != last_;
        if (changed) {
            last_ = digest;  // tried once: a failed reload waits for the next change
        } else {
            refresh_watches();  // a directory replaced on the way gives a new watch
        }
    }
    emit_notice();
    if (changed) hooks_.changed();  // a reload that succeeds calls files_changed()
}

void FileWatcher::start() {
    if (timing_.watch) {
        std::lock_guard<std::mutex> lock(mu_);
        if (timing_.force_polling) {
            errno = EMFILE;
            fall_back("inotify_init");
        } else {
            inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
            if (inotify_fd_ < 0) fall_back("inotify_init");
        }
        take_files();
    }
    emit_notice();
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) {
        throw ConfigError(ErrorCode::StartFailed, std::string("tls.watch: eventfd: ") + std::strerror(errno) +
                                                      ": raise the open-file limit (ulimit -n)");
    }
    try {
        thread_ = start_thread("imcb-watcher", [this] { run(); });
    } catch (const std::system_error& e) {
        throw ConfigError(ErrorCode::StartFailed,
                          std::string("tls.watch: cannot start the watcher thread: ") + e.what());
    }
}

void FileWatcher::wake() noexcept {
    if (wake_fd_ >= 0) {
        const std::uint64_t one = 1;
        [[maybe_unused]] const auto w = ::write(wake_fd_, &one, sizeof one);
    }
}

void FileWatcher::files_changed() {
    if (!timing_.watch || stopping_) return;
    {
        std::lock_guard<std::mutex> lock(mu_);
        take_files();
    }
    emit_notice();
}

void FileWatcher::stop() noexcept {
    stopping_ = true;
    wake();
    if (thread_.joinable()) {
        if (thread_.get_id() == std::this_thread::get_id()) return;  // the destructor joins
        thread_.join();
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
    if (inotify_fd_ >= 0) ::close(inotify_fd_);
    wake_fd_ = inotify_fd_ = -1;
}

void FileWatcher::run() {
    bool pending = false;
    Clock::time_point first_event{};
    Clock::time_point last_event{};
    Clock::time_point next_poll = Clock::now() + timing_.poll;
    Clock::time_point next_daily = Clock::now() + timing_.daily;
    alignas(inotify_event) char events[4096];
    while (!stopping_) {
        const Clock::time_point now = Clock::now();
        Clock::time_point due = next_daily;
        if (pending) due = std::min({due, last_event + timing_.debounce, first_event + timing_.debounce_max});
        if (timing_.watch && polling_) due = std::min(due, next_poll);
        pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
        const int n = ::poll(fds, inotify_fd_ >= 0 ? 2 : 1, ms_until(now, due));
        if (stopping_) break;
        if (n > 0 && inotify_fd_ >= 0 && (fds[1].revents & POLLIN) != 0) {
            while (::read(inotify_fd_, events, sizeof events) > 0) {
            }
            const Clock::time_point t = Clock::now();
            if (!pending) first_event = t;
            pending = true;
            last_event = t;
        }
        const Clock::time_point t = Clock::now();
        if (pending && (t >= last_event + timing_.debounce || t >= first_event + timing_.debounce_max)) {
            pending = false;
            check();
        }
        if (timing_.watch && polling_ && t >= next_poll) {
            next_poll = t + timing_.poll;
            check();
        }
        if (t >= next_daily) {
            next_daily = t + timing_.daily;
            if (hooks_.daily) hooks_.daily();
        }
    }
}

}  // namespace imcb::detail
