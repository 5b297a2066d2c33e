#include "journal.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <set>

#include "imcb/errors.h"
#include "runtime.h"

namespace imcb::detail {
namespace {

// Control bytes that JSON text never holds raw, so a payload cannot imitate a record start.
constexpr std::uint8_t kMagic[4] = {0x1a, 'I', 'J', 0x00};
constexpr std::size_t kHeader = 24;
constexpr std::uint32_t kMaxPayload = 80u << 20;
constexpr std::uint8_t kEvent = 1, kDone = 2;
constexpr std::uint64_t kMaxAttemptsFile = 4u << 20;  // then it is rewritten with live events only

std::uint32_t crc32(std::uint32_t crc, const unsigned char* p, std::size_t n) {
    static const auto table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    crc = ~crc;
    for (std::size_t i = 0; i < n; ++i) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

void put32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put64(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint64_t get(const unsigned char* p, int bytes) {
    std::uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

// CRC over type, length, seq and payload (bytes 4..8 and 12..end of the record).
std::uint32_t record_crc(const unsigned char* rec, std::size_t payload_len) {
    std::uint32_t c = crc32(0, rec + 4, 8);
    return crc32(c, rec + 16, 8 + payload_len);
}

std::string segment_name(std::uint64_t id) {
    char name[40];
    std::snprintf(name, sizeof name, "journal-%012llu.log", static_cast<unsigned long long>(id));
    return name;
}

[[noreturn]] void unusable(const std::string& dir, const std::string& what) {
    throw ConfigError(ErrorCode::FileUnreadable,
                      "journal.dir \"" + dir + "\": " + what +
                          ": give a folder the service user can create and write, on a local disk");
}

bool write_all(int fd, const char* data, std::size_t n, std::string& why) {
    while (n > 0) {
        const ssize_t w = ::write(fd, data, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            why = std::strerror(errno);
            return false;
        }
        data += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

// The whole of an open file, from where it stands.
std::string read_rest(int fd) {
    std::string data;
    char buf[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        data.append(buf, static_cast<std::size_t>(n));
    }
    return data;
}

void sync_dir(const std::string& dir) {
    const int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d >= 0) {
        ::fsync(d);
        ::close(d);
    }
}

}  // namespace

Journal::Journal(SegmentOptions options, const Report& report) : options_(std::move(options)) {
    if (options_.dir.empty()) unusable(options_.dir, "is empty");
    if (::mkdir(options_.dir.c_str(), 0700) != 0 && errno != EEXIST) {
        unusable(options_.dir, std::string("cannot create it: ") + std::strerror(errno));
    }
    struct stat st {};
    if (::stat(options_.dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        unusable(options_.dir, "is not a folder");
    }
    if (::access(options_.dir.c_str(), R_OK | W_OK | X_OK) != 0) {
        unusable(options_.dir, std::string("is not writable: ") + std::strerror(errno));
    }
    // One process per journal: a second one would interleave segments and deliver twice.
    lock_fd_ = ::open((options_.dir + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd_ < 0)
        unusable(options_.dir, std::string("cannot create its lock file: ") + std::strerror(errno));
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        ::close(lock_fd_);
        throw ConfigError(ErrorCode::InvalidOption,
                          "journal.dir \"" + options_.dir +
                              "\" is in use by another running receiver: give each instance its own folder");
    }
    try {
        recover(report);
        std::unique_lock<std::mutex> lock(mu_);
        open_segment();
        if (fd_ < 0)
            unusable(options_.dir, std::string("cannot create a segment file: ") + std::strerror(errno));
    } catch (...) {
        if (attempts_fd_ >= 0) ::close(attempts_fd_);
        ::close(lock_fd_);
        throw;
    }
}

Journal::~Journal() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !writing_; });
    if (!queued_.empty()) write_queued(lock, UINT64_MAX);  // completions still queued
    if (fd_ >= 0) ::close(fd_);
    if (attempts_fd_ >= 0) ::close(attempts_fd_);
    ::close(lock_fd_);  // releases the lock
}

void Journal::recover(const Report& report) {
    std::vector<std::uint64_t> ids;
    if (DIR* d = ::opendir(options_.dir.c_str())) {
        while (dirent* e = ::readdir(d)) {
            unsigned long long id = 0;
            char tail[8] = {};
            if (std::sscanf(e->d_name, "journal-%12llu.%3s", &id, tail) == 2 &&
                std::strcmp(tail, "log") == 0 && segment_name(id) == e->d_name) {
                ids.push_back(id);
            }
        }
        ::closedir(d);
    }
    std::sort(ids.begin(), ids.end());
    std::map<std::uint64_t, JournalEvent> pending;
    std::map<std::uint64_t, std::uint64_t> seg_of;
    std::map<std::uint64_t, unsigned> attempts;
    std::set<std::uint64_t> finished;
    for (const std::uint64_t id : ids) {
        Segment seg{id, options_.dir + "/" + segment_name(id), 0, 0, {}};
        const int fd = ::open(seg.path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) unusable(options_.dir, "cannot read " + seg.path + ": " + std::strerror(errno));
        const std::string data = read_rest(fd);
        struct stat fst {};
        if (::fstat(fd, &fst) == 0) seg.last_write = std::chrono::system_clock::from_time_t(fst.st_mtime);
        ::close(fd);
        seg.size = data.size();
        const auto* p = reinterpret_cast<const unsigned char*>(data.data());
        std::size_t pos = 0, skipped_bytes = 0, bad = 0, good_end = 0;
        while (pos + kHeader <= data.size()) {
            if (std::memcmp(p + pos, kMagic, 4) != 0) {
                ++pos;
                ++skipped_bytes;
                continue;
            }
            const std::uint32_t len = static_cast<std::uint32_t>(get(p + pos + 8, 4));
            const bool fits = len <= kMaxPayload && pos + kHeader + len <= data.size();
            if (!fits || static_cast<std::uint32_t>(get(p + pos + 12, 4)) != record_crc(p + pos, len)) {
                ++bad;  // resynchronise on the next record start
                ++pos;
                ++skipped_bytes;
                continue;
            }
            const std::uint8_t type = p[pos + 4];
            const std::uint64_t seq = get(p + pos + 16, 8);
            next_seq_ = std::max(next_seq_, seq + 1);
            if (type == kEvent) {
                pending[seq] = JournalEvent{seq, data.substr(pos + kHeader, len), 0, false};
                seg_of[seq] = id;
            } else if (type == kDone) {
                finished.insert(seq);
            }
            pos += kHeader + len;
            good_end = pos;
        }
        skipped_bytes += data.size() - pos;
        if (skipped_bytes > 0) {
            const bool tail_only = skipped_bytes == data.size() - good_end;
            report(segment_name(id) + ": skipped " + std::to_string(skipped_bytes) + " bytes " +
                   (tail_only ? std::string("at the end: a record cut short (a write interrupted by "
                                            "a crash or power loss); it was never acknowledged")
                              : "that are not valid records (" + std::to_string(bad) +
                                    " failed their length or checksum); the records around them "
                                    "were recovered"));
        }
        segments_.push_back(seg);
        next_segment_ = id + 1;
    }
    // Attempts: pairs of seq and its complement; a torn or foreign tail is ignored.
    // (A write cut short shifts what follows: pairs are found again byte by byte.)
    if (const int afd = ::open((options_.dir + "/attempts.log").c_str(), O_RDONLY | O_CLOEXEC); afd >= 0) {
        const std::string data = read_rest(afd);
        ::close(afd);
        const auto* a = reinterpret_cast<const unsigned char*>(data.data());
        for (std::size_t i = 0; i + 16 <= data.size();) {
            const std::uint64_t seq = get(a + i, 8);
            if (get(a + i + 8, 8) == ~seq && pending.count(seq) > 0) {
                ++attempts[seq];
                i += 16;
            } else {
                ++i;
            }
        }
    }
    std::map<std::uint64_t, unsigned> live_attempts;
    for (auto& [seq, ev] : pending) {
        ev.attempts = attempts.count(seq) ? attempts[seq] : 0;
        ev.done = finished.count(seq) > 0;
        if (!ev.done) {
            const std::uint64_t id = seg_of[seq];
            for (auto& s : segments_) {
                if (s.id == id) ++s.live;
            }
            segment_of_[seq] = id;
            if (ev.attempts > 0) live_attempts[seq] = ev.attempts;
        }
        recovered_.push_back(std::move(ev));
    }
    open_attempts(live_attempts);
    for (const auto& s : segments_) bytes_ += s.size;
    drop_expired(std::chrono::system_clock::now());
}

void Journal::drop_expired(std::chrono::system_clock::time_point now, bool keep_retained) {
    // Oldest first, never the one being written (after open: there is always one).
    while (segments_.size() > (fd_ >= 0 ? 1u : 0u) && segments_.front().live == 0 &&
           (!keep_retained || now - segments_.front().last_write >= options_.retain)) {
        bytes_ -= std::min(bytes_, segments_.front().size);
        ::unlink(segments_.front().path.c_str());
        segments_.pop_front();
    }
}

void Journal::expire() {
    std::lock_guard<std::mutex> lock(mu_);
    drop_expired(std::chrono::system_clock::now());
}

std::vector<JournalEvent> Journal::take_recovered() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::move(recovered_);
}

void Journal::open_segment() {
    if (fd_ >= 0) ::close(fd_);
    const std::uint64_t id = next_segment_++;
    Segment seg{id, options_.dir + "/" + segment_name(id), 0, 0, std::chrono::system_clock::now()};
    fd_ = ::open(seg.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0) return;
    sync_dir(options_.dir);
    segments_.push_back(seg);
}

void Journal::queue_record(std::uint8_t type, std::uint64_t seq, const std::string& payload) {
    const std::size_t start = queued_.size();
    queued_.append(reinterpret_cast<const char*>(kMagic), 4);
    queued_.push_back(static_cast<char>(type));
    queued_.append(3, '\0');
    put32(queued_, static_cast<std::uint32_t>(payload.size()));
    put32(queued_, 0);  // CRC, filled below
    put64(queued_, seq);
    queued_ += payload;
    auto* rec = reinterpret_cast<unsigned char*>(&queued_[start]);
    const std::uint32_t c = record_crc(rec, payload.size());
    for (int i = 0; i < 4; ++i) rec[12 + i] = static_cast<unsigned char>((c >> (8 * i)) & 0xff);
    bytes_ += kHeader + payload.size();
}

void Journal::write_queued(std::unique_lock<std::mutex>& lock, std::uint64_t until) {
    writing_ = true;
    bool first = true;
    while (!queued_.empty() && (first || written_batch_ < until)) {
        first = false;
        std::string data;
        data.swap(queued_);
        std::vector<std::uint64_t> events;
        events.swap(queued_events_);
        const bool sync = queued_sync_;
        queued_sync_ = false;
        const std::uint64_t batch = open_batch_++;
        std::size_t appenders = 0;
        if (const auto w = batch_appenders_.find(batch); w != batch_appenders_.end()) {
            appenders = w->second;
            batch_appenders_.erase(w);
        }
        const std::uint64_t limit = std::clamp<std::uint64_t>(options_.max_bytes / 8, 64 << 10, 64ull << 20);
        if (fd_ < 0 || (segments_.back().size > 0 && segments_.back().size + data.size() > limit)) {
            open_segment();
        }
        const int fd = fd_;
        lock.unlock();
        std::string why;
        bool ok = fd >= 0;
        if (!ok) why = std::string("cannot create a segment file: ") + std::strerror(errno);
        if (ok) ok = write_all(fd, data.data(), data.size(), why);
        if (ok && sync && ::fdatasync(fd) != 0) {
            why = std::string("fdatasync: ") + std::strerror(errno);
            ok = false;
        }
        lock.lock();
        if (ok) {
            Segment& seg = segments_.back();
            seg.size += data.size();
            seg.last_write = std::chrono::system_clock::now();
            seg.live += events.size();
            for (const std::uint64_t seq : events) segment_of_[seq] = seg.id;
        } else {
            // Every appender of the batch hears of it, not only the first to wake.
            if (appenders > 0) failed_batches_[batch] = Failure{why, appenders};
            bytes_ -= std::min<std::uint64_t>(bytes_, data.size());
            // What reached the file is unknown: continue in a fresh segment.
            if (fd_ >= 0) {
                ::close(fd_);
                fd_ = -1;
            }
        }
        written_batch_ = batch;
        cv_.notify_all();
    }
    writing_ = false;
    cv_.notify_all();
}

Journal::Append Journal::append(const std::vector<std::string>& payloads, std::vector<std::uint64_t>& seqs,
                                std::string& why) {
    std::unique_lock<std::mutex> lock(mu_);
    std::uint64_t size = 0;
    for (const auto& p : payloads) size += kHeader + p.size();
    // Room for new events comes before remembering old ones across a restart.
    if (bytes_ + size > options_.max_bytes) {
        if (!writing_ && fd_ >= 0 && segments_.back().live == 0 && segments_.back().size > 0) {
            open_segment();  // the one being written holds only done events: let it go too
        }
        drop_expired(std::chrono::system_clock::now(), false);
    }
    if (bytes_ + size > options_.max_bytes) {
        why = "the journal is full (" + std::to_string(bytes_) + " of " + std::to_string(options_.max_bytes) +
              " bytes, journal.max_bytes): events wait for their handlers; raise journal.max_bytes "
              "or fix the failing handler";
        return Append::Full;
    }
    seqs.clear();
    for (const auto& p : payloads) {
        const std::uint64_t seq = next_seq_++;
        queue_record(kEvent, seq, p);
        queued_events_.push_back(seq);
        seqs.push_back(seq);
    }
    queued_sync_ = true;
    const std::uint64_t mine = open_batch_;
    ++batch_appenders_[mine];
    const BlockingScope waiting_for_the_disk;
    while (written_batch_ < mine) {
        if (!writing_) {
            write_queued(lock, mine);
        } else {
            cv_.wait(lock);
        }
    }
    const auto failed = failed_batches_.find(mine);
    if (failed != failed_batches_.end()) {
        why = "cannot write the journal in \"" + options_.dir + "\": " + failed->second.why;
        if (--failed->second.readers == 0) failed_batches_.erase(failed);
        return Append::Failed;
    }
    return Append::Durable;
}

void Journal::open_attempts(const std::map<std::uint64_t, unsigned>& keep) {
    std::string data;
    for (const auto& [seq, n] : keep) {
        for (unsigned i = 0; i < n; ++i) {
            put64(data, seq);
            put64(data, ~seq);
        }
    }
    const std::string path = options_.dir + "/attempts.log";
    const std::string next = path + ".new";
    const int fd = ::open(next.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    std::string why;
    if (fd < 0 || !write_all(fd, data.data(), data.size(), why) || ::fdatasync(fd) != 0 ||
        ::rename(next.c_str(), path.c_str()) != 0) {
        const int err = errno;
        if (fd >= 0) ::close(fd);
        unusable(options_.dir, "cannot write attempts.log: " + std::string(std::strerror(err)));
    }
    ::close(fd);
    sync_dir(options_.dir);
    if (attempts_fd_ >= 0) ::close(attempts_fd_);
    attempts_fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    attempts_size_ = data.size();
    attempts_ = keep;
}

void Journal::attempt(std::uint64_t seq) {
    std::lock_guard<std::mutex> lock(attempts_mu_);
    if (attempts_size_ > kMaxAttemptsFile) {
        // Only live events matter: rewrite the file with theirs.
        try {
            open_attempts(attempts_);
        } catch (const ConfigError&) {
            // Keep appending to the old file; it is only longer.
        }
    }
    ++attempts_[seq];
    std::string rec;
    put64(rec, seq);
    put64(rec, ~seq);
    std::string why;
    if (attempts_fd_ >= 0 && write_all(attempts_fd_, rec.data(), rec.size(), why))
        attempts_size_ += rec.size();
}

void Journal::done(std::uint64_t seq) {
    {
        std::lock_guard<std::mutex> lock(attempts_mu_);
        attempts_.erase(seq);
    }
    std::unique_lock<std::mutex> lock(mu_);
    queue_record(kDone, seq, {});
    retire(seq);
    if (!writing_) write_queued(lock, 0);
}

void Journal::retire(std::uint64_t seq) {
    const auto it = segment_of_.find(seq);
    if (it == segment_of_.end()) return;
    for (auto& s : segments_) {
        if (s.id == it->second && s.live > 0) --s.live;
    }
    segment_of_.erase(it);
    drop_expired(std::chrono::system_clock::now());
}

bool Journal::dead_letter(const std::string& json_line, std::string& why) {
    std::lock_guard<std::mutex> lock(dead_mu_);
    const std::string path = options_.dir + "/dead-letter.jsonl";
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        why = "cannot open " + path + ": " + std::strerror(errno);
        return false;
    }
    const std::string line = json_line + "\n";
    bool ok = write_all(fd, line.data(), line.size(), why);
    if (ok && ::fdatasync(fd) != 0) {
        why = std::string("fdatasync: ") + std::strerror(errno);
        ok = false;
    }
    ::close(fd);
    return ok;
}

std::uint64_t Journal::bytes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return bytes_;
}

}  // namespace imcb::detail
