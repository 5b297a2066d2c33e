// tls.watch's file watcher: the digest of the watched files, the directories it watches (symlink
// targets included), and that a change is noticed through inotify and through the polling
// fallback, once per change of contents.

#include <gtest/gtest.h>

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "watcher.h"

namespace imcb::detail {
namespace {

class TempDir {
  public:
    TempDir() {
        char tmpl[] = "/tmp/imcb-watch-XXXXXX";
        path_ = ::mkdtemp(tmpl);
    }
    ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

void write_file(const std::string& path, const std::string& content) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

void replace_atomically(const std::string& path, const std::string& content) {
    write_file(path + ".tmp", content);
    ASSERT_EQ(std::rename((path + ".tmp").c_str(), path.c_str()), 0);
}

TEST(FilesDigest, FollowsContentsNotInodes) {
    TempDir d;
    write_file(d / "a", "one");
    write_file(d / "b", "two");
    const std::string first = files_digest({d / "a", d / "b"});
    EXPECT_EQ(first.size(), 64u);
    replace_atomically(d / "a", "one");
    EXPECT_EQ(files_digest({d / "a", d / "b"}), first);
    write_file(d / "a", "one!");
    EXPECT_NE(files_digest({d / "a", d / "b"}), first);
    // Content moved from one file to the next is a change too.
    write_file(d / "a", "");
    write_file(d / "b", "onetwo");
    const std::string moved = files_digest({d / "a", d / "b"});
    write_file(d / "a", "one");
    write_file(d / "b", "two");
    EXPECT_NE(moved, files_digest({d / "a", d / "b"}));
    std::remove((d / "a").c_str());
    EXPECT_NE(files_digest({d / "a", d / "b"}), first);
}

TEST(WatchDirs, ParentsAndSymlinkTargets) {
    TempDir d;
    ASSERT_EQ(::mkdir((d / "..2026_01").c_str(), 0700), 0);
    write_file(d / "..2026_01/ca.crt", "x");
    ASSERT_EQ(::symlink("..2026_01", (d / "..data").c_str()), 0);
    ASSERT_EQ(::symlink("..data/ca.crt", (d / "ca.crt").c_str()), 0);
    char real[PATH_MAX];
    ASSERT_NE(::realpath(d.path().c_str(), real), nullptr);
    const std::vector<std::string> dirs = watch_dirs({d / "ca.crt"});
    const auto has = [&](const std::string& dir) {
        return std::find(dirs.begin(), dirs.end(), dir) != dirs.end();
    };
    EXPECT_TRUE(has(d.path()));
    EXPECT_TRUE(has(d / "..data"));
    EXPECT_TRUE(has(std::string(real) + "/..2026_01"));
    EXPECT_EQ(watch_dirs({"relative.crt"}), std::vector<std::string>{"."});
}

// What the watcher's hooks reported, with a wait for each event (woken by the hook, bounded).
struct Recorder {
    std::mutex mu;
    std::condition_variable cv;
    int changes = 0;
    int days = 0;
    std::vector<std::string> notices;

    WatcherHooks hooks(std::vector<std::string> files) {
        WatcherHooks h;
        h.files = [files] { return files; };
        h.changed = [this] { bump([this] { changes++; }); };
        h.daily = [this] { bump([this] { days++; }); };
        h.notice = [this](const std::string& what) { bump([&] { notices.push_back(what); }); };
        return h;
    }
    template <class F>
    void bump(F&& f) {
        {
            std::lock_guard<std::mutex> lock(mu);
            f();
        }
        cv.notify_all();
    }
    template <class P>
    bool wait(P&& pred) {
        std::unique_lock<std::mutex> lock(mu);
        return cv.wait_for(lock, std::chrono::seconds(5), pred);
    }
    int change_count() {
        std::lock_guard<std::mutex> lock(mu);
        return changes;
    }
};

TEST(FileWatcher, NoticesAnAtomicRenameOncePerChangeOfContents) {
    TempDir d;
    write_file(d / "ca.crt", "old");
    Recorder rec;
    WatcherTiming timing;
    timing.debounce = std::chrono::milliseconds(20);
    FileWatcher w(rec.hooks({d / "ca.crt"}), timing);
    w.start();
    // start() has set the watches and taken the digest: every change from now on is seen.
    replace_atomically(d / "ca.crt", "new");
    ASSERT_TRUE(rec.wait([&] { return rec.changes == 1; }));
    replace_atomically(d / "ca.crt", "newer");
    ASSERT_TRUE(rec.wait([&] { return rec.changes == 2; }));
    w.stop();
    EXPECT_EQ(rec.change_count(), 2);
    std::lock_guard<std::mutex> lock(rec.mu);
    EXPECT_TRUE(rec.notices.empty());
}

TEST(FileWatcher, FallsBackToPollingAndSaysSoOnce) {
    TempDir d;
    write_file(d / "ca.crt", "old");
    Recorder rec;
    WatcherTiming timing;
    timing.force_polling = true;
    timing.poll = std::chrono::milliseconds(50);
    FileWatcher w(rec.hooks({d / "ca.crt"}), timing);
    w.start();
    ASSERT_TRUE(rec.wait([&] { return rec.notices.size() == 1; }));
    {
        std::lock_guard<std::mutex> lock(rec.mu);
        EXPECT_NE(rec.notices.front().find("tls.watch"), std::string::npos);
    }
    write_file(d / "ca.crt", "new");
    ASSERT_TRUE(rec.wait([&] { return rec.changes == 1; }));
    write_file(d / "ca.crt", "newer");
    ASSERT_TRUE(rec.wait([&] { return rec.changes == 2; }));
    w.stop();
    std::lock_guard<std::mutex> lock(rec.mu);
    EXPECT_EQ(rec.notices.size(), 1u);
}

TEST(FileWatcher, TheDailyTimerRunsWithoutWatching) {
    Recorder rec;
    WatcherHooks h = rec.hooks({});
    WatcherTiming timing;
    timing.watch = false;
    timing.daily = std::chrono::milliseconds(20);
    FileWatcher w(std::move(h), timing);
    w.start();
    ASSERT_TRUE(rec.wait([&] { return rec.days >= 2; }));
    w.stop();
    EXPECT_EQ(rec.change_count(), 0);
}

TEST(FileWatcher, StopEndsAnIdleThreadAtOnce) {
    Recorder rec;
    WatcherTiming timing;  // a day until anything is due
    FileWatcher w(rec.hooks({}), timing);
    w.start();
    w.stop();  // returns: the eventfd woke the thread
    w.stop();  // idempotent
    SUCCEED();
}

}  // namespace
}  // namespace imcb::detail
