// Fuzz target for json.hpp. Invariants, for any bytes:
//  - write_json_string writes exactly json_string_size bytes, into an exact-size block;
//  - the output is valid JSON, checked by an independent parser (nlohmann/json, used
//    here only, never by the library), and its value is the input where the input is
//    valid UTF-8, and otherwise the input with each byte that does not start a valid
//    sequence replaced by U+FFFD (json.hpp); validity is decided by a decoder written
//    here from RFC 3629 section 3 (code point arithmetic, not json.hpp's byte table);
//  - the output is the one escaping json.hpp documents, byte for byte;
//  - success and error bodies (RFC 6749 5.1, 5.2) are JSON objects with the members
//    given, in the documented order, and exactly the size *_size announced.
//
// The first byte picks string, success body or error body; for bodies the material is
// split at 0x1E bytes into the members.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "oauthcore/json.hpp"

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

// RFC 3629 3: the length of the well-formed sequence at s[i], or 0.
std::size_t reference_utf8_length(std::string_view s, std::size_t i) {
    const auto lead = static_cast<unsigned char>(s[i]);
    std::size_t length = 0;
    std::uint32_t code_point = 0;
    if ((lead & 0x80) == 0) return 1;
    if ((lead & 0xE0) == 0xC0) {
        length = 2;
        code_point = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3;
        code_point = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4;
        code_point = lead & 0x07;
    } else {
        return 0;
    }
    if (s.size() - i < length) return 0;
    for (std::size_t k = 1; k < length; ++k) {
        const auto next = static_cast<unsigned char>(s[i + k]);
        if ((next & 0xC0) != 0x80) return 0;
        code_point = (code_point << 6) | (next & 0x3F);
    }
    static constexpr std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < smallest[length]) return 0;                 // overlong
    if (code_point >= 0xD800 && code_point <= 0xDFFF) return 0;  // surrogate
    if (code_point > 0x10FFFF) return 0;                         // beyond Unicode
    return length;
}

bool is_valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t length = reference_utf8_length(s, i);
        if (length == 0) return false;
        i += length;
    }
    return true;
}

// What the JSON string must decode to.
std::string expected_text(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t length = reference_utf8_length(s, i);
        if (length == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out += s.substr(i, length);
            i += length;
        }
    }
    return out;
}

// The escaping json.hpp documents: \" \\ \b \f \n \r \t, other controls as \u00xx,
// invalid bytes as \ufffd, everything else as it is.
std::string expected_serialization(std::string_view s) {
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t length = reference_utf8_length(s, i);
        const auto c = static_cast<unsigned char>(s[i]);
        if (length == 0) {
            out += "\\ufffd";
        } else if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
            out += '\\';
            out += c == '\b' ? 'b' : c == '\f' ? 'f' : c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else if (c < 0x20) {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += s.substr(i, length);
        }
        i += length == 0 ? 1 : length;
    }
    return out + "\"";
}

nlohmann::ordered_json parse_json(std::string_view text) {
    auto value = nlohmann::ordered_json::parse(text.data(), text.data() + text.size(), nullptr, false);
    require(!value.is_discarded());
    return value;
}

void check_string(std::string_view text) {
    const std::size_t size = oauthcore::json_string_size(text);
    std::vector<char> out(size);
    require(oauthcore::write_json_string(text, out.data()) == size);
    const std::string_view written(out.data(), out.size());
    require(written == expected_serialization(text));
    const auto value = parse_json(written);
    require(value.is_string());
    const auto& decoded = value.get_ref<const std::string&>();
    require(decoded == expected_text(text));
    if (is_valid_utf8(text)) require(decoded == text);
}

std::vector<std::string_view> split(std::string_view material, std::size_t parts) {
    std::vector<std::string_view> out;
    while (out.size() + 1 < parts) {
        const auto separator = material.find('\x1e');
        out.push_back(material.substr(0, separator));
        material = separator == std::string_view::npos ? std::string_view{} : material.substr(separator + 1);
    }
    out.push_back(material);
    return out;
}

void check_token(unsigned flags, std::string_view material) {
    oauthcore::token_fields token;
    if (flags & 2) {
        std::uint64_t n = 0;
        const std::size_t bytes = material.size() < 8 ? material.size() : 8;
        if (bytes != 0) std::memcpy(&n, material.data(), bytes);  // data() may be null when empty
        material.remove_prefix(bytes);
        token.expires_in = n;
    }
    const auto parts = split(material, 4);
    token.access_token = parts[0];
    token.token_type = parts[1];
    token.refresh_token = parts[2];
    token.scope = parts[3];

    const std::size_t size = oauthcore::token_json_size(token);
    std::vector<char> out(size);
    require(oauthcore::write_token_json(token, out.data()) == size);
    // The one-pass write agrees with the two passes, and reports the size when it does not fit.
    std::vector<char> one_pass(size);
    require(oauthcore::write_token_json(token, one_pass.data(), one_pass.size()) == size);
    require(one_pass == out);
    require(oauthcore::write_token_json(token, one_pass.data(), size - 1) == size);
    const auto value = parse_json(std::string_view(out.data(), out.size()));
    require(value.is_object());
    std::vector<std::string> keys;
    for (const auto& [key, member] : value.items()) keys.push_back(key);
    std::vector<std::string> expected_keys{"access_token"};
    if (token.expires_in) expected_keys.emplace_back("expires_in");
    expected_keys.emplace_back("token_type");
    if (!token.refresh_token.empty()) expected_keys.emplace_back("refresh_token");
    if (!token.scope.empty()) expected_keys.emplace_back("scope");
    require(keys == expected_keys);
    require(value["access_token"] == expected_text(token.access_token));
    require(value["token_type"] == expected_text(token.token_type));
    if (token.expires_in) require(value["expires_in"].get<std::uint64_t>() == *token.expires_in);
    if (!token.refresh_token.empty()) require(value["refresh_token"] == expected_text(token.refresh_token));
    if (!token.scope.empty()) require(value["scope"] == expected_text(token.scope));
}

void check_error(unsigned flags, std::string_view description) {
    const auto code = static_cast<oauthcore::error_code>((flags >> 2) % 7);
    const std::size_t size = oauthcore::error_json_size(code, description);
    std::vector<char> out(size);
    require(oauthcore::write_error_json(code, description, out.data()) == size);
    const auto value = parse_json(std::string_view(out.data(), out.size()));
    require(value.is_object() && value.size() == 2);
    require(value.begin().key() == "error");
    require(value["error"] == std::string(oauthcore::to_string(code)));
    require(value["error_description"] == expected_text(description));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        check_string({});
        return 0;
    }
    const unsigned flags = data[0];
    // An exact-size copy of the material, so that reads past its end are caught.
    const std::vector<char> material(data + 1, data + size);
    const std::string_view view(material.data(), material.size());
    switch (flags % 3) {
        case 0: check_string(view); break;
        case 1: check_token(flags, view); break;
        default: check_error(flags, view); break;
    }
    return 0;
}
