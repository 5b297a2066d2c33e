// The journal's file format and recovery: what was appended comes back, done events are known as
// done, a torn last record or a corrupt one in the middle is skipped and reported, never misread,
// and a full journal refuses instead of dropping.

#include <gtest/gtest.h>

#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "imcb/errors.h"
#include "journal.h"

namespace imcb::detail {
namespace {

class JournalTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/imcb-journal-test-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

    std::unique_ptr<Journal> open(std::uint64_t max_bytes = 64ull << 20) {
        return std::make_unique<Journal>(SegmentOptions{dir_, max_bytes, std::chrono::seconds(0)},
                                         [this](const std::string& what) { reports_.push_back(what); });
    }
    std::vector<std::string> segments() const {
        std::vector<std::string> out;
        if (DIR* d = ::opendir(dir_.c_str())) {
            while (dirent* e = ::readdir(d)) {
                const std::string n = e->d_name;
                if (n.rfind("journal-", 0) == 0) out.push_back(dir_ + "/" + n);
            }
            ::closedir(d);
        }
        std::sort(out.begin(), out.end());
        return out;
    }
    static std::string read(const std::string& path) {
        std::ifstream in(path, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), {}};
    }
    static void write(const std::string& path, const std::string& data) {
        std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
    }
    std::uint64_t append_one(Journal& j, const std::string& payload) {
        std::vector<std::uint64_t> seqs;
        std::string why;
        EXPECT_EQ(j.append({payload}, seqs, why), Journal::Append::Durable) << why;
        return seqs.empty() ? 0 : seqs.front();
    }
    static std::vector<std::string> payloads(const std::vector<JournalEvent>& evs, bool done) {
        std::vector<std::string> out;
        for (const auto& e : evs) {
            if (e.done == done) out.push_back(e.payload);
        }
        return out;
    }

    std::string dir_;
    std::vector<std::string> reports_;
};

TEST_F(JournalTest, AppendedEventsComeBackAfterReopenAndDoneOnesAreMarked) {
    {
        auto j = open();
        EXPECT_TRUE(j->take_recovered().empty());
        const auto a = append_one(*j, R"({"n":1})");
        append_one(*j, R"({"n":2})");
        std::vector<std::uint64_t> seqs;
        std::string why;
        ASSERT_EQ(j->append({R"({"n":3})", R"({"n":4})"}, seqs, why), Journal::Append::Durable);
        EXPECT_EQ(seqs.size(), 2u);
        EXPECT_LT(a, seqs[0]);
        j->attempt(a);
        j->done(a);
        j->attempt(seqs[1]);
        j->attempt(seqs[1]);
    }
    auto j = open();
    const auto evs = j->take_recovered();
    EXPECT_EQ(payloads(evs, false), (std::vector<std::string>{R"({"n":2})", R"({"n":3})", R"({"n":4})"}));
    EXPECT_EQ(payloads(evs, true), (std::vector<std::string>{R"({"n":1})"}));
    for (const auto& e : evs) {
        if (e.payload == R"({"n":4})") {
            EXPECT_EQ(e.attempts, 2u);
        } else if (e.payload == R"({"n":2})") {
            EXPECT_EQ(e.attempts, 0u);
        }
    }
    EXPECT_TRUE(reports_.empty());
    // New events never reuse a sequence number.
    std::uint64_t max_seq = 0;
    for (const auto& e : evs) max_seq = std::max(max_seq, e.seq);
    EXPECT_GT(append_one(*j, "{}"), max_seq);
}

TEST_F(JournalTest, ATornLastRecordIsSkippedAndReported) {
    {
        auto j = open();
        append_one(*j, R"({"n":1})");
        append_one(*j, R"({"n":2})");
        append_one(*j, R"({"n":3,"pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})");
    }
    const auto files = segments();
    ASSERT_EQ(files.size(), 1u);
    std::string data = read(files[0]);
    write(files[0], data.substr(0, data.size() - 20));  // power cut in the middle of the last write

    auto j = open();
    EXPECT_EQ(payloads(j->take_recovered(), false), (std::vector<std::string>{R"({"n":1})", R"({"n":2})"}));
    ASSERT_EQ(reports_.size(), 1u);
    EXPECT_NE(reports_[0].find("cut short"), std::string::npos) << reports_[0];
}

TEST_F(JournalTest, ACorruptRecordInTheMiddleIsSkippedAndTheOnesAfterItRecovered) {
    {
        auto j = open();
        append_one(*j, R"({"n":"first"})");
        append_one(*j, R"({"n":"second"})");
        append_one(*j, R"({"n":"third"})");
    }
    const auto files = segments();
    ASSERT_EQ(files.size(), 1u);
    std::string data = read(files[0]);
    const auto at = data.find("second");
    ASSERT_NE(at, std::string::npos);
    data[at] = 'S';  // one flipped bit: same length, wrong checksum
    write(files[0], data);

    auto j = open();
    EXPECT_EQ(payloads(j->take_recovered(), false),
              (std::vector<std::string>{R"({"n":"first"})", R"({"n":"third"})"}));
    ASSERT_EQ(reports_.size(), 1u);
    EXPECT_NE(reports_[0].find("not valid records"), std::string::npos) << reports_[0];
}

TEST_F(JournalTest, AGarbledLengthDoesNotSwallowTheRecordsAfterIt) {
    {
        auto j = open();
        append_one(*j, R"({"n":"first"})");
        append_one(*j, R"({"n":"second"})");
        append_one(*j, R"({"n":"third"})");
    }
    const auto files = segments();
    std::string data = read(files[0]);
    const auto second = data.find("second");
    // The second record's length field: 24-byte header, payload {"n":" starts 6 bytes earlier.
    const auto rec = second - 6 - 24;
    data[rec + 8] = static_cast<char>(0x7f);
    data[rec + 10] = static_cast<char>(0x01);
    write(files[0], data);

    auto j = open();
    EXPECT_EQ(payloads(j->take_recovered(), false),
              (std::vector<std::string>{R"({"n":"first"})", R"({"n":"third"})"}));
    EXPECT_EQ(reports_.size(), 1u);
}

TEST_F(JournalTest, AFullJournalRefusesAndDoneEventsMakeRoomAgain) {
    auto j = open(1 << 20);
    const std::string big(100 * 1024, 'x');
    std::vector<std::uint64_t> all;
    Journal::Append last = Journal::Append::Durable;
    std::string why;
    for (int i = 0; i < 20 && last == Journal::Append::Durable; ++i) {
        std::vector<std::uint64_t> seqs;
        last = j->append({"\"" + big + "\""}, seqs, why);
        all.insert(all.end(), seqs.begin(), seqs.end());
    }
    ASSERT_EQ(last, Journal::Append::Full);
    EXPECT_NE(why.find("journal.max_bytes"), std::string::npos) << why;
    EXPECT_LE(j->bytes(), 1u << 20);
    EXPECT_GE(all.size(), 8u);
    for (const auto seq : all) j->done(seq);
    std::vector<std::uint64_t> seqs;
    EXPECT_EQ(j->append({"\"" + big + "\""}, seqs, why), Journal::Append::Durable) << why;
}

TEST_F(JournalTest, ConcurrentAppendsAreAllDurable) {
    constexpr int kThreads = 8, kEach = 50;
    {
        auto j = open();
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < kEach; ++i) append_one(*j, std::to_string(t * 1000 + i));
            });
        }
        for (auto& t : threads) t.join();
    }
    auto j = open();
    EXPECT_EQ(payloads(j->take_recovered(), false).size(), static_cast<std::size_t>(kThreads * kEach));
    EXPECT_TRUE(reports_.empty());
}

// Appends that share a write all hear of its failure: none of them may answer "durable" for a
// record that is not on disk. The file-size limit makes the shared write fail (in a child process).
TEST_F(JournalTest, EveryAppenderOfAFailedWriteHearsOfIt) {
    const auto trials = [this]() {
        ::signal(SIGXFSZ, SIG_IGN);
        rlimit original{};
        ::getrlimit(RLIMIT_FSIZE, &original);
        for (int trial = 0; trial < 30; ++trial) {
            std::system(("rm -rf '" + dir_ + "'/*").c_str());
            std::vector<std::uint64_t> durable;
            std::mutex mu;
            {
                Journal j(SegmentOptions{dir_, 64ull << 20, std::chrono::seconds(0)},
                          [](const std::string&) {});
                rlimit small = original;
                small.rlim_cur = 1500;  // the first record fits, the next ones do not
                ::setrlimit(RLIMIT_FSIZE, &small);
                std::vector<std::thread> threads;
                for (int t = 0; t < 4; ++t) {
                    threads.emplace_back([&] {
                        std::vector<std::uint64_t> seqs;
                        std::string why;
                        if (j.append({std::string(1000, 'x')}, seqs, why) == Journal::Append::Durable) {
                            std::lock_guard<std::mutex> lock(mu);
                            durable.insert(durable.end(), seqs.begin(), seqs.end());
                        }
                    });
                }
                for (auto& t : threads) t.join();
                ::setrlimit(RLIMIT_FSIZE, &original);
            }
            Journal again(SegmentOptions{dir_, 64ull << 20, std::chrono::seconds(0)},
                          [](const std::string&) {});
            std::set<std::uint64_t> kept;
            for (const auto& e : again.take_recovered()) kept.insert(e.seq);
            for (const auto seq : durable) {
                if (kept.count(seq) == 0) std::_Exit(1);  // acknowledged, not on disk
            }
        }
        std::_Exit(0);
    };
    EXPECT_EXIT(trials(), ::testing::ExitedWithCode(0), "");
}

TEST_F(JournalTest, AFolderThatCannotBeUsedIsAConfigError) {
    const std::string file = dir_ + "/plain-file";
    write(file, "x");
    try {
        Journal j(SegmentOptions{file, 1 << 20, std::chrono::seconds(0)}, [](const std::string&) {});
        FAIL() << "a file was accepted as the journal folder";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("journal.dir"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace imcb::detail
