#pragma once

// The durable after-event journal: an append-only log of segment files in one folder.
//
//   record = magic u32 | type u8 | 0 0 0 | length u32 | crc32 u32 | seq u64 | payload[length]
//
// (little-endian; the CRC covers type, length, seq and payload). An event record holds one
// acknowledged callback; a done record says its handler finished (or it went to the dead-letter
// file). attempts.log counts deliveries that started (seq u64 | ~seq u64 per attempt), written
// before each handler call so that a redelivery after a crash is known as one. Appends share fsyncs (group commit):
// whoever finds no write in progress writes every record queued so far, with one fdatasync, and
// the others wait for it. Opening a journal reads every segment, skips torn or corrupt records
// (reported, never misread), resynchronises on the next valid record, and always starts a new
// segment. Segments are deleted oldest first once all their events are done.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace imcb::detail {

struct SegmentOptions {
    std::string dir;
    std::uint64_t max_bytes = 256ull << 20;  // all segments together
    /// A segment whose events are all done is kept this long after its last write, so that the
    /// events of that window can be recognised again after a restart (deduplication).
    std::chrono::seconds retain{0};
};

/// An event read back at open.
struct JournalEvent {
    std::uint64_t seq = 0;
    std::string payload;
    unsigned attempts = 0;  // deliveries started before (counted across restarts)
    bool done = false;      // its handler finished before: kept only to be recognised again
};

class Journal {
  public:
    enum class Append { Durable, Full, Failed };
    using Report = std::function<void(const std::string&)>;

    /// Opens (creating the folder if needed) and recovers. Throws ConfigError when the folder
    /// cannot be used. `report` hears about skipped records.
    Journal(SegmentOptions options, const Report& report);
    ~Journal();
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    /// Every event read back at open, oldest first, done or not (handed out once).
    std::vector<JournalEvent> take_recovered();
    /// Deletes the oldest segments whose events are done and whose retention has passed.
    void expire();

    /// Appends events and returns once they are on disk (or why not: `why`). On Durable, `seqs`
    /// holds their sequence numbers, in order.
    Append append(const std::vector<std::string>& payloads, std::vector<std::uint64_t>& seqs,
                  std::string& why);
    /// A delivery of `seq` is starting (written at once, not synced: only a power cut can lose
    /// it, and then a redelivery counts as a first one).
    void attempt(std::uint64_t seq);
    /// `seq` needs no more delivery (written, not synced: a lost one means one more delivery).
    void done(std::uint64_t seq);
    /// Appends a line to dead-letter.jsonl in the folder and syncs it. False on an I/O error.
    bool dead_letter(const std::string& json_line, std::string& why);

    std::uint64_t bytes() const;
    const std::string& dir() const { return options_.dir; }

  private:
    struct Segment {
        std::uint64_t id = 0;
        std::string path;
        std::uint64_t size = 0;
        std::uint64_t live = 0;  // events not done yet
        std::chrono::system_clock::time_point last_write{};
    };
    void drop_expired(std::chrono::system_clock::time_point now, bool keep_retained = true);  // under mu_
    void recover(const Report& report);
    void open_segment();
    // Writes what is queued, batch by batch, until batch `until` is written (0: one batch; the
    // maximum: everything). The caller holds `lock` and is the writer meanwhile; then whoever still
    // waits becomes the next writer, so no thread writes for the others for long.
    void write_queued(std::unique_lock<std::mutex>& lock, std::uint64_t until);
    void queue_record(std::uint8_t type, std::uint64_t seq, const std::string& payload);
    void retire(std::uint64_t seq);  // under mu_

    SegmentOptions options_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Segment> segments_;                       // oldest first; the last one is being written
    std::map<std::uint64_t, std::uint64_t> segment_of_;  // live event seq -> segment id
    std::vector<JournalEvent> recovered_;
    int fd_ = -1;
    int lock_fd_ = -1;
    std::uint64_t next_seq_ = 1;
    std::uint64_t next_segment_ = 1;
    std::uint64_t bytes_ = 0;
    std::string queued_;
    std::vector<std::uint64_t> queued_events_;
    bool queued_sync_ = false;
    bool writing_ = false;
    std::uint64_t open_batch_ = 1;     // the batch records are queued into
    std::uint64_t written_batch_ = 0;  // every batch up to this one is written (and synced if asked)
    struct Failure {
        std::string why;
        std::size_t readers = 0;  // appenders of the batch that have not read it yet
    };
    std::map<std::uint64_t, std::size_t> batch_appenders_;  // open batch -> appenders waiting on it
    std::map<std::uint64_t, Failure> failed_batches_;
    std::mutex dead_mu_;

    void open_attempts(const std::map<std::uint64_t, unsigned>& keep);  // rewrites attempts.log
    std::mutex attempts_mu_;
    int attempts_fd_ = -1;
    std::uint64_t attempts_size_ = 0;
    std::map<std::uint64_t, unsigned> attempts_;  // live events' attempts, to compact the file
};

}  // namespace imcb::detail
