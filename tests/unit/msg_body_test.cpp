// Typed decoding of MsgBody elements (MsgElement::typed), one test per MsgType,
// plus round trips.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "imcb/events.h"

namespace {

using nlohmann::json;

json element(const std::string& type, const json& content) {
    return json{{"MsgType", type}, {"MsgContent", content}};
}

/// Decodes j, checks that it re-encodes to exactly j, and returns the element.
imcb::MsgElement decode(const json& j) {
    const auto e = j.get<imcb::MsgElement>();
    EXPECT_EQ(json(e), j);
    return e;
}

TEST(MsgBody, TextElem) {
    const auto e = decode(element("TIMTextElem", {{"Text", "red packet"}}));
    ASSERT_TRUE(std::holds_alternative<imcb::TextElem>(e.typed));
    EXPECT_EQ(std::get<imcb::TextElem>(e.typed).text, "red packet");
    EXPECT_EQ(e.text(), "red packet");
    EXPECT_EQ(e.type, "TIMTextElem");
    EXPECT_EQ(e.content, (json{{"Text", "red packet"}}));
}

TEST(MsgBody, LocationElem) {
    const auto e = decode(element(
        "TIMLocationElem", {{"Desc", "someinfo"}, {"Latitude", 29.340656774469956}, {"Longitude", 116}}));
    ASSERT_TRUE(std::holds_alternative<imcb::LocationElem>(e.typed));
    const auto& l = std::get<imcb::LocationElem>(e.typed);
    EXPECT_EQ(l.desc, "someinfo");
    EXPECT_DOUBLE_EQ(l.latitude, 29.340656774469956);
    EXPECT_DOUBLE_EQ(l.longitude, 116.0);
    EXPECT_EQ(e.text(), "");
}

TEST(MsgBody, FaceElem) {
    const auto e = decode(element("TIMFaceElem", {{"Index", 1}, {"Data", "content"}}));
    ASSERT_TRUE(std::holds_alternative<imcb::FaceElem>(e.typed));
    const auto& f = std::get<imcb::FaceElem>(e.typed);
    EXPECT_EQ(f.index, 1);
    EXPECT_EQ(f.data, "content");
}

TEST(MsgBody, CustomElemKeepsAbsentFieldsAbsent) {
    const auto e =
        decode(element("TIMCustomElem", {{"Data", "message"}, {"Desc", "notification"}, {"Ext", "url"}}));
    ASSERT_TRUE(std::holds_alternative<imcb::CustomElem>(e.typed));
    const auto& c = std::get<imcb::CustomElem>(e.typed);
    EXPECT_EQ(c.data, "message");
    EXPECT_EQ(c.desc, "notification");
    EXPECT_EQ(c.ext, "url");
    EXPECT_EQ(c.sound, std::nullopt);
    EXPECT_EQ(e.text(), "");
}

TEST(MsgBody, SoundElem) {
    const auto e = decode(element("TIMSoundElem", {{"Url", "https://1400000000.vod2.myqcloud.com/a.m4a"},
                                                   {"UUID", "1053D4B3D61040894AC3DE44CDF28B3EC7EB"},
                                                   {"Size", 62351},
                                                   {"Second", 1},
                                                   {"Download_Flag", 2}}));
    ASSERT_TRUE(std::holds_alternative<imcb::SoundElem>(e.typed));
    const auto& s = std::get<imcb::SoundElem>(e.typed);
    EXPECT_EQ(s.url, "https://1400000000.vod2.myqcloud.com/a.m4a");
    EXPECT_EQ(s.uuid, "1053D4B3D61040894AC3DE44CDF28B3EC7EB");
    EXPECT_EQ(s.size, 62351);
    EXPECT_EQ(s.second, 1);
    EXPECT_EQ(s.download_flag, 2);

    // 2.x/3.x: no Url, no Download_Flag.
    const auto old = decode(element("TIMSoundElem", {{"UUID", "u"}, {"Size", 10}, {"Second", 2}}));
    const auto& o = std::get<imcb::SoundElem>(old.typed);
    EXPECT_EQ(o.url, std::nullopt);
    EXPECT_EQ(o.download_flag, std::nullopt);
    EXPECT_EQ(o.size, 10);
}

TEST(MsgBody, ImageElem) {
    const json infos = json::array({
        {{"Type", 1}, {"Size", 1853095}, {"Width", 2448}, {"Height", 3264}, {"URL", "https://x/1.jpg"}},
        {{"Type", 2}, {"Size", 484872}, {"Width", 720}, {"Height", 960}, {"URL", "https://x/2.jpg"}},
        {{"Type", 3}, {"Size", 45467}, {"Width", 198}, {"Height", 264}, {"URL", "https://x/3.jpg"}},
    });
    const auto e = decode(element("TIMImageElem", {{"UUID", "1853095_D61040894AC3DE44CDFFFB3EC7EB720"},
                                                   {"ImageFormat", 1},
                                                   {"ImageInfoArray", infos}}));
    ASSERT_TRUE(std::holds_alternative<imcb::ImageElem>(e.typed));
    const auto& i = std::get<imcb::ImageElem>(e.typed);
    EXPECT_EQ(i.uuid, "1853095_D61040894AC3DE44CDFFFB3EC7EB720");
    EXPECT_EQ(i.image_format, 1);
    ASSERT_TRUE(i.image_info_array.has_value());
    const auto& decoded = *i.image_info_array;
    ASSERT_EQ(decoded.size(), 3u);
    EXPECT_EQ(decoded[0].type, 1);
    EXPECT_EQ(decoded[0].size, 1853095);
    EXPECT_EQ(decoded[0].width, 2448);
    EXPECT_EQ(decoded[0].height, 3264);
    EXPECT_EQ(decoded[0].url, "https://x/1.jpg");
    EXPECT_EQ(decoded[2].type, 3);
    EXPECT_EQ(decoded[2].url, "https://x/3.jpg");
}

TEST(MsgBody, FileElem) {
    const auto e = decode(element("TIMFileElem", {{"Url", "https://x/file.txt"},
                                                  {"UUID", "6_1400000000_f"},
                                                  {"FileSize", 1773552},
                                                  {"FileName", "file:///private/var/Mobile/a.txt"},
                                                  {"Download_Flag", 2}}));
    ASSERT_TRUE(std::holds_alternative<imcb::FileElem>(e.typed));
    const auto& f = std::get<imcb::FileElem>(e.typed);
    EXPECT_EQ(f.url, "https://x/file.txt");
    EXPECT_EQ(f.uuid, "6_1400000000_f");
    EXPECT_EQ(f.file_size, 1773552);
    EXPECT_EQ(f.file_name, "file:///private/var/Mobile/a.txt");
    EXPECT_EQ(f.download_flag, 2);

    const auto old = decode(element("TIMFileElem", {{"UUID", "u"}, {"FileSize", 1}, {"FileName", "n"}}));
    EXPECT_EQ(std::get<imcb::FileElem>(old.typed).url, std::nullopt);
    EXPECT_EQ(std::get<imcb::FileElem>(old.typed).download_flag, std::nullopt);
}

TEST(MsgBody, VideoFileElem) {
    const auto e = decode(element("TIMVideoFileElem", {{"VideoUrl", "https://x/v.mp4"},
                                                       {"VideoUUID", "5da38ba89d6521"},
                                                       {"VideoSize", 1194603},
                                                       {"VideoSecond", 5},
                                                       {"VideoFormat", "mp4"},
                                                       {"VideoDownloadFlag", 2},
                                                       {"ThumbUrl", "https://x/t.jpg"},
                                                       {"ThumbUUID", "6edaffedcb"},
                                                       {"ThumbSize", 13907},
                                                       {"ThumbWidth", 720},
                                                       {"ThumbHeight", 1280},
                                                       {"ThumbFormat", "JPG"},
                                                       {"ThumbDownloadFlag", 2}}));
    ASSERT_TRUE(std::holds_alternative<imcb::VideoFileElem>(e.typed));
    const auto& v = std::get<imcb::VideoFileElem>(e.typed);
    EXPECT_EQ(v.video_url, "https://x/v.mp4");
    EXPECT_EQ(v.video_uuid, "5da38ba89d6521");
    EXPECT_EQ(v.video_size, 1194603);
    EXPECT_EQ(v.video_second, 5);
    EXPECT_EQ(v.video_format, "mp4");
    EXPECT_EQ(v.video_download_flag, 2);
    EXPECT_EQ(v.thumb_url, "https://x/t.jpg");
    EXPECT_EQ(v.thumb_uuid, "6edaffedcb");
    EXPECT_EQ(v.thumb_size, 13907);
    EXPECT_EQ(v.thumb_width, 720);
    EXPECT_EQ(v.thumb_height, 1280);
    EXPECT_EQ(v.thumb_format, "JPG");
    EXPECT_EQ(v.thumb_download_flag, 2);

    // 2.x/3.x: no URLs or download flags.
    const auto old = decode(element("TIMVideoFileElem", {{"VideoUUID", "v"},
                                                         {"VideoSize", 1},
                                                         {"VideoSecond", 2},
                                                         {"VideoFormat", "mp4"},
                                                         {"ThumbUUID", "t"},
                                                         {"ThumbSize", 3},
                                                         {"ThumbWidth", 4},
                                                         {"ThumbHeight", 5},
                                                         {"ThumbFormat", "JPG"}}));
    const auto& o = std::get<imcb::VideoFileElem>(old.typed);
    EXPECT_EQ(o.video_url, std::nullopt);
    EXPECT_EQ(o.thumb_url, std::nullopt);
    EXPECT_EQ(o.video_download_flag, std::nullopt);
    EXPECT_EQ(o.thumb_download_flag, std::nullopt);
    EXPECT_EQ(o.thumb_height, 5);
}

TEST(MsgBody, RelayElemDecodesNestedMessagesRecursively) {
    const json msg_list = json::array({
        {{"From_Account", "144115233406643804"},
         {"To_Account", "144115233404230016"},
         {"MsgSeq", 2},
         {"MsgRandom", 3998651049u},
         {"MsgTimeStamp", 1705567556},
         {"MsgBody", json::array({element("TIMTextElem", {{"Text", "hello"}})})},
         {"CloudCustomData", "ccd"}},
        {{"From_Account", "144115233404230016"},
         {"GroupId", "@TGS#1ZZJGLHIX"},
         {"MsgSeq", 3},
         {"MsgRandom", 1},
         {"MsgTimeStamp", 1705567560},
         {"MsgBody", json::array({element("TIMFaceElem", {{"Index", 7}, {"Data", "smile"}}),
                                  element("TIMCustomElem", {{"Data", "d"}})})}},
    });
    const json in = element("TIMRelayElem", {{"Title", "Chat history"},
                                             {"MsgNum", 2},
                                             {"CompatibleText", "Upgrade to view"},
                                             {"AbstractList", {"A: hello", "B: [Sticker]"}},
                                             {"MsgList", msg_list}});
    const auto e = decode(in);
    ASSERT_TRUE(std::holds_alternative<imcb::RelayElem>(e.typed));
    const auto& r = std::get<imcb::RelayElem>(e.typed);
    EXPECT_EQ(r.title, "Chat history");
    EXPECT_EQ(r.msg_num, 2);
    EXPECT_EQ(r.compatible_text, "Upgrade to view");
    EXPECT_EQ(r.abstract_list, (std::vector<std::string>{"A: hello", "B: [Sticker]"}));
    EXPECT_EQ(r.json_msg_key, std::nullopt);
    ASSERT_TRUE(r.msg_list.has_value());
    ASSERT_EQ(r.msg_list->size(), 2u);

    const auto& m0 = r.msg_list->at(0);
    EXPECT_EQ(m0.from_account, "144115233406643804");
    EXPECT_EQ(m0.to_account, "144115233404230016");
    EXPECT_EQ(m0.group_id, std::nullopt);
    EXPECT_EQ(m0.msg_seq, std::optional<std::uint32_t>(2));
    EXPECT_EQ(m0.msg_random, std::optional<std::uint32_t>(3998651049u));
    EXPECT_EQ(m0.msg_time_stamp, 1705567556);
    EXPECT_EQ(m0.cloud_custom_data, "ccd");
    ASSERT_TRUE(m0.msg_body.has_value());
    ASSERT_EQ(m0.msg_body->size(), 1u);
    EXPECT_EQ(m0.msg_body->at(0).text(), "hello");
    ASSERT_TRUE(std::holds_alternative<imcb::TextElem>(m0.msg_body->at(0).typed));

    const auto& m1 = r.msg_list->at(1);
    EXPECT_EQ(m1.group_id, "@TGS#1ZZJGLHIX");
    EXPECT_EQ(m1.to_account, std::nullopt);
    EXPECT_EQ(m1.cloud_custom_data, std::nullopt);
    ASSERT_TRUE(m1.msg_body.has_value());
    const auto& body1 = *m1.msg_body;
    ASSERT_EQ(body1.size(), 2u);
    ASSERT_TRUE(std::holds_alternative<imcb::FaceElem>(body1[0].typed));
    EXPECT_EQ(std::get<imcb::FaceElem>(body1[0].typed).index, 7);
    ASSERT_TRUE(std::holds_alternative<imcb::CustomElem>(body1[1].typed));
    EXPECT_EQ(std::get<imcb::CustomElem>(body1[1].typed).data, "d");

    // Over 12 KB the vendor sends only JsonMsgKey.
    const auto big = decode(element("TIMRelayElem", {{"Title", "t"}, {"JsonMsgKey", "key"}}));
    const auto& b = std::get<imcb::RelayElem>(big.typed);
    EXPECT_EQ(b.json_msg_key, "key");
    EXPECT_EQ(b.msg_list, std::nullopt);
    EXPECT_EQ(b.abstract_list, std::nullopt);
}

TEST(MsgBody, RelayedMsgRandomMustBeUnsigned32) {
    const json in =
        element("TIMRelayElem",
                {{"MsgList", json::array({{{"MsgRandom", 4294967296u}, {"MsgBody", json::array()}}})}});
    try {
        (void)in.get<imcb::MsgElement>();
        FAIL() << "expected a type error";
    } catch (const json::type_error& ex) {
        EXPECT_NE(std::string(ex.what()).find("MsgRandom"), std::string::npos) << ex.what();
    }
}

TEST(MsgBody, UnknownTypeKeepsContent) {
    const json content = {
        {"Chunks",
         json::array({{{"EventType", "delta"}, {"Index", 0}, {"Markdown", "Hel"}, {"IsLast", false}}})},
        {"CompatibleText", "upgrade"},
        {"StreamMsgID", "s1"}};
    const auto e = decode(element("TIMStreamElem", content));
    EXPECT_TRUE(std::holds_alternative<imcb::UnknownElem>(e.typed));
    EXPECT_EQ(e.type, "TIMStreamElem");
    EXPECT_EQ(e.content, content);
    EXPECT_EQ(e.text(), "");
}

TEST(MsgBody, ReencodingKeepsUnknownExtraFields) {
    const json text = element("TIMTextElem", {{"Text", "hi"}, {"Extra", {{"a", 1}}}, {"Z", nullptr}});
    const auto t = decode(text);
    EXPECT_EQ(t.text(), "hi");
    EXPECT_EQ(json(t), text);

    const json image = element(
        "TIMImageElem",
        {{"UUID", "u"},
         {"ImageFormat", 255},
         {"ImageInfoArray",
          json::array(
              {{{"Type", 1}, {"Size", 1}, {"Width", 2}, {"Height", 3}, {"URL", "x"}, {"New", true}}})},
         {"FutureField", "kept"}});
    EXPECT_EQ(json(image.get<imcb::MsgElement>()), image);
}

TEST(MsgBody, TextElemWithoutTextThrowsNamingText) {
    const json in = element("TIMTextElem", json::object());
    try {
        (void)in.get<imcb::MsgElement>();
        FAIL() << "expected an error";
    } catch (const json::exception& ex) {
        EXPECT_NE(std::string(ex.what()).find("\"Text\""), std::string::npos) << ex.what();
    }

    const json wrong = element("TIMTextElem", {{"Text", 5}});
    EXPECT_THROW((void)wrong.get<imcb::MsgElement>(), json::type_error);
}

TEST(MsgBody, WrongFieldTypesThrowNamingTheField) {
    const json loc = element("TIMLocationElem", {{"Desc", "d"}, {"Latitude", "29.3"}, {"Longitude", 1}});
    try {
        (void)loc.get<imcb::MsgElement>();
        FAIL() << "expected a type error";
    } catch (const json::type_error& ex) {
        EXPECT_NE(std::string(ex.what()).find("\"Latitude\""), std::string::npos) << ex.what();
    }

    const json sound = element("TIMSoundElem", {{"Size", "big"}});
    try {
        (void)sound.get<imcb::MsgElement>();
        FAIL() << "expected a type error";
    } catch (const json::type_error& ex) {
        EXPECT_NE(std::string(ex.what()).find("\"Size\""), std::string::npos) << ex.what();
    }
}

TEST(MsgBody, TextIsEmptyForOtherTypes) {
    EXPECT_EQ(decode(element("TIMCustomElem", {{"Data", "d"}, {"Text", "not text"}})).text(), "");
    EXPECT_EQ(decode(element("TIMFaceElem", {{"Index", 1}, {"Data", "x"}})).text(), "");
    EXPECT_EQ(decode(element("TIMTextElem", {{"Text", ""}})).text(), "");
    EXPECT_EQ(decode(element("TIMTextElem", {{"Text", "x"}})).text(), "x");
}

}  // namespace
