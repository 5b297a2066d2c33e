#pragma once

// MsgBody: typed views of MsgContent, one struct per documented MsgType (protocol reference §4).
// Fields that older SDKs (2.x/3.x) or some cases leave out are std::optional. The raw MsgContent
// always stays in MsgElement::content, so re-encoding gives back exactly what was sent.

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "imcb/export.h"
#include "imcb/schema.h"

namespace imcb {

struct MsgElement;

/// TIMTextElem.
struct TextElem {
    std::string text;  ///< Text
    static constexpr auto fields() { return std::make_tuple(field("Text", &TextElem::text)); }
};

/// TIMLocationElem.
struct LocationElem {
    std::string desc;        ///< Desc
    double latitude = 0.0;   ///< Latitude
    double longitude = 0.0;  ///< Longitude
    static constexpr auto fields() {
        return std::make_tuple(field("Desc", &LocationElem::desc), field("Latitude", &LocationElem::latitude),
                               field("Longitude", &LocationElem::longitude));
    }
};

/// TIMFaceElem.
struct FaceElem {
    std::int64_t index = 0;  ///< Index
    std::string data;        ///< Data
    static constexpr auto fields() {
        return std::make_tuple(field("Index", &FaceElem::index), field("Data", &FaceElem::data));
    }
};

/// TIMCustomElem.
struct CustomElem {
    std::optional<std::string> data;   ///< Data
    std::optional<std::string> desc;   ///< Desc
    std::optional<std::string> ext;    ///< Ext
    std::optional<std::string> sound;  ///< Sound
    static constexpr auto fields() {
        return std::make_tuple(field("Data", &CustomElem::data), field("Desc", &CustomElem::desc),
                               field("Ext", &CustomElem::ext), field("Sound", &CustomElem::sound));
    }
};

/// TIMSoundElem (2.x/3.x send only UUID, Size and Second).
struct SoundElem {
    std::optional<std::string> url;             ///< Url
    std::optional<std::string> uuid;            ///< UUID
    std::optional<std::int64_t> size;           ///< Size, bytes
    std::optional<std::int64_t> second;         ///< Second
    std::optional<std::int64_t> download_flag;  ///< Download_Flag (2)
    static constexpr auto fields() {
        return std::make_tuple(field("Url", &SoundElem::url), field("UUID", &SoundElem::uuid),
                               field("Size", &SoundElem::size), field("Second", &SoundElem::second),
                               field("Download_Flag", &SoundElem::download_flag));
    }
};

/// One entry of TIMImageElem.ImageInfoArray.
struct ImageInfo {
    std::int64_t type = 0;    ///< Type: 1 original, 2 large, 3 thumbnail
    std::int64_t size = 0;    ///< Size, bytes
    std::int64_t width = 0;   ///< Width
    std::int64_t height = 0;  ///< Height
    std::string url;          ///< URL
    nlohmann::json unknown_fields;
    static constexpr auto fields() {
        return std::make_tuple(field("Type", &ImageInfo::type), field("Size", &ImageInfo::size),
                               field("Width", &ImageInfo::width), field("Height", &ImageInfo::height),
                               field("URL", &ImageInfo::url));
    }
};

/// TIMImageElem.
struct ImageElem {
    std::optional<std::string> uuid;           ///< UUID
    std::optional<std::int64_t> image_format;  ///< ImageFormat: JPG 1, GIF 2, PNG 3, BMP 4, other 255
    std::optional<std::vector<ImageInfo>> image_info_array;  ///< ImageInfoArray
    static constexpr auto fields() {
        return std::make_tuple(field("UUID", &ImageElem::uuid),
                               field("ImageFormat", &ImageElem::image_format),
                               field("ImageInfoArray", &ImageElem::image_info_array));
    }
};

/// TIMFileElem (2.x/3.x send only UUID, FileSize and FileName).
struct FileElem {
    std::optional<std::string> url;             ///< Url
    std::optional<std::string> uuid;            ///< UUID
    std::optional<std::int64_t> file_size;      ///< FileSize, bytes
    std::optional<std::string> file_name;       ///< FileName
    std::optional<std::int64_t> download_flag;  ///< Download_Flag (2)
    static constexpr auto fields() {
        return std::make_tuple(field("Url", &FileElem::url), field("UUID", &FileElem::uuid),
                               field("FileSize", &FileElem::file_size),
                               field("FileName", &FileElem::file_name),
                               field("Download_Flag", &FileElem::download_flag));
    }
};

/// TIMVideoFileElem (2.x/3.x lack the URLs and download flags).
struct VideoFileElem {
    std::optional<std::string> video_url;             ///< VideoUrl
    std::optional<std::string> video_uuid;            ///< VideoUUID
    std::optional<std::int64_t> video_size;           ///< VideoSize, bytes
    std::optional<std::int64_t> video_second;         ///< VideoSecond
    std::optional<std::string> video_format;          ///< VideoFormat
    std::optional<std::int64_t> video_download_flag;  ///< VideoDownloadFlag (2)
    std::optional<std::string> thumb_url;             ///< ThumbUrl
    std::optional<std::string> thumb_uuid;            ///< ThumbUUID
    std::optional<std::int64_t> thumb_size;           ///< ThumbSize, bytes
    std::optional<std::int64_t> thumb_width;          ///< ThumbWidth
    std::optional<std::int64_t> thumb_height;         ///< ThumbHeight
    std::optional<std::string> thumb_format;          ///< ThumbFormat
    std::optional<std::int64_t> thumb_download_flag;  ///< ThumbDownloadFlag (2)
    static constexpr auto fields() {
        using V = VideoFileElem;
        return std::make_tuple(field("VideoUrl", &V::video_url), field("VideoUUID", &V::video_uuid),
                               field("VideoSize", &V::video_size), field("VideoSecond", &V::video_second),
                               field("VideoFormat", &V::video_format),
                               field("VideoDownloadFlag", &V::video_download_flag),
                               field("ThumbUrl", &V::thumb_url), field("ThumbUUID", &V::thumb_uuid),
                               field("ThumbSize", &V::thumb_size), field("ThumbWidth", &V::thumb_width),
                               field("ThumbHeight", &V::thumb_height), field("ThumbFormat", &V::thumb_format),
                               field("ThumbDownloadFlag", &V::thumb_download_flag));
    }
};

/// One message of TIMRelayElem.MsgList (a forwarded message).
struct RelayedMessage {
    std::optional<std::string> from_account;          ///< From_Account
    std::optional<std::string> to_account;            ///< To_Account
    std::optional<std::string> group_id;              ///< GroupId
    std::optional<std::uint32_t> msg_seq;             ///< MsgSeq
    std::optional<std::uint32_t> msg_random;          ///< MsgRandom
    std::optional<std::int64_t> msg_time_stamp;       ///< MsgTimeStamp, seconds
    std::optional<std::vector<MsgElement>> msg_body;  ///< MsgBody
    std::optional<std::string> cloud_custom_data;     ///< CloudCustomData
    nlohmann::json unknown_fields;
    static constexpr auto fields();
};

/// TIMRelayElem (merged/forwarded messages): MsgList up to 12 KB, else only JsonMsgKey.
struct RelayElem {
    std::optional<std::string> title;                       ///< Title
    std::optional<std::int64_t> msg_num;                    ///< MsgNum
    std::optional<std::string> compatible_text;             ///< CompatibleText
    std::optional<std::vector<std::string>> abstract_list;  ///< AbstractList
    std::optional<std::vector<RelayedMessage>> msg_list;    ///< MsgList
    std::optional<std::string> json_msg_key;                ///< JsonMsgKey
    static constexpr auto fields() {
        return std::make_tuple(field("Title", &RelayElem::title), field("MsgNum", &RelayElem::msg_num),
                               field("CompatibleText", &RelayElem::compatible_text),
                               field("AbstractList", &RelayElem::abstract_list),
                               field("MsgList", &RelayElem::msg_list),
                               field("JsonMsgKey", &RelayElem::json_msg_key));
    }
};

/// Any other MsgType (e.g. TIMStreamElem); the raw JSON is MsgElement::content.
struct UnknownElem {};

using MsgContent = std::variant<TextElem, LocationElem, FaceElem, CustomElem, SoundElem, ImageElem, FileElem,
                                VideoFileElem, RelayElem, UnknownElem>;

/// One element of a message body (MsgBody): {"MsgType": ..., "MsgContent": {...}}.
struct MsgElement {
    std::string type;                  ///< e.g. "TIMTextElem", "TIMCustomElem"
    nlohmann::json content;            ///< MsgContent as sent (to_json re-encodes exactly this)
    MsgContent typed = UnknownElem{};  ///< content decoded according to type

    /// The Text of a TIMTextElem, else empty.
    IMCB_API std::string text() const;
};
IMCB_API void from_json(const nlohmann::json& j, MsgElement& e);
IMCB_API void to_json(nlohmann::json& j, const MsgElement& e);

constexpr auto RelayedMessage::fields() {
    using R = RelayedMessage;
    return std::make_tuple(field("From_Account", &R::from_account), field("To_Account", &R::to_account),
                           field("GroupId", &R::group_id), field("MsgSeq", &R::msg_seq),
                           field("MsgRandom", &R::msg_random), field("MsgTimeStamp", &R::msg_time_stamp),
                           field("MsgBody", &R::msg_body), field("CloudCustomData", &R::cloud_custom_data));
}

}  // namespace imcb
