// Fuzz target for basic_auth.hpp and base64.hpp.
//
// The first input byte picks a mode; the rest is the material.
//  - Round trip (modes 0-5): the material is split into a client id and a secret
//    (the second byte gives the id's length), which are encoded as a client does
//    (RFC 6749 2.3.1: application/x-www-form-urlencoded, then RFC 7617: id ":" secret,
//    base64), wrapped in a header value with a varied scheme spelling and spacing, and
//    parsed. The parse must give back the original id and secret, byte for byte.
//      form_urlencoded: any id and secret without control characters (an id's ':' is
//        encoded away; a control character is refused even encoded, RFC 7617 2, so those
//        bytes are dropped from the material); an empty id must fail with empty_client_id;
//      raw (RFC 7617 alone): the id may not hold ':' and neither may hold a control
//        character (basic_auth.hpp), so those bytes are dropped from the material.
//  - Raw bytes (other modes): the material is the header value itself, parsed under
//    both decoding policies and with a small fixed_storage. Nothing may crash; an
//    accepted header must agree with an independent reading: its credentials are strict
//    base64, so re-encoding the decoded user-pass gives the token68 back. The policies
//    agree but where form decoding makes a control character, which only it refuses.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "oauthcore/basic_auth.hpp"
#include "oauthcore/storage.hpp"
#include "reference_decoding.hpp"

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

// RFC 4648 4, written out independently of base64.hpp.
std::string reference_base64(std::string_view bytes) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) |
                           (static_cast<unsigned char>(bytes[i + 1]) << 8) | static_cast<unsigned char>(bytes[i + 2]);
        out += alphabet[n >> 18];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        out += alphabet[n & 63];
    }
    if (bytes.size() - i == 1) {
        const unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
        out += alphabet[n >> 18];
        out += alphabet[(n >> 12) & 63];
        out += "==";
    } else if (bytes.size() - i == 2) {
        const unsigned n =
            (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
        out += alphabet[n >> 18];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        out += '=';
    }
    return out;
}

// The WHATWG application/x-www-form-urlencoded byte serializer (space as '+', keeps
// alphanumerics and *-._), or, when `encode_all`, %XX for every byte in the given case:
// both are what RFC 6749 2.3.1 asks of a client.
std::string form_encode(std::string_view bytes, bool encode_all, bool lower_hex) {
    const char* hex = lower_hex ? "0123456789abcdef" : "0123456789ABCDEF";
    std::string out;
    for (const char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        const bool keep = (u >= '0' && u <= '9') || (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || u == '*' ||
                          u == '-' || u == '.' || u == '_';
        if (!encode_all && keep) {
            out += c;
        } else if (!encode_all && u == ' ') {
            out += '+';
        } else {
            out += '%';
            out += hex[u >> 4];
            out += hex[u & 15];
        }
    }
    return out;
}

bool is_control(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
}

void round_trip(unsigned mode, std::string_view material) {
    const bool raw = mode % 2 == 1;
    const unsigned style = mode / 2;  // 0: serializer, lower scheme; 1: all %xx; 2: all %XX, OWS
    std::size_t id_length = 0;
    if (!material.empty()) {
        id_length = static_cast<unsigned char>(material.front()) % material.size();
        material.remove_prefix(1);
    }
    std::string id(material.substr(0, id_length));
    std::string secret(material.substr(id_length));
    std::erase_if(secret, is_control);
    if (raw)
        std::erase_if(id, [](char c) { return c == ':' || is_control(c); });
    else
        std::erase_if(id, is_control);
    const std::string user_pass =
        raw ? id + ":" + secret
            : form_encode(id, style != 0, style == 1) + ":" + form_encode(secret, style != 0, style == 1);
    const std::string scheme = style == 0 ? "basic" : style == 1 ? "Basic" : "BASIC";
    const std::string header = (style == 2 ? " \t" : "") + scheme + std::string(style + 1, ' ') +
                               reference_base64(user_pass) + (style == 2 ? "\t " : "");

    oauthcore::basic_auth_options options;
    options.decoding = raw ? oauthcore::credential_decoding::raw : oauthcore::credential_decoding::form_urlencoded;
    options.max_header_bytes = SIZE_MAX;
    oauthcore::request_storage storage;
    const auto credentials = oauthcore::parse_basic_authorization(header, storage, options);
    if (id.empty()) {
        require(!credentials);
        require(credentials.error().reason == oauthcore::reason::empty_client_id);
        return;
    }
    require(credentials.has_value());
    require(credentials->id == id);
    require(credentials->secret == secret);
}

template <class Storage>
oauthcore::result<oauthcore::client_credentials> parse(std::string_view header, Storage& storage,
                                                       oauthcore::credential_decoding decoding) {
    oauthcore::basic_auth_options options;
    options.decoding = decoding;
    return oauthcore::parse_basic_authorization(header, storage, options);
}

void raw_bytes(std::string_view header) {
    using oauthcore::credential_decoding;
    using oauthcore::reason;
    oauthcore::request_storage raw_storage;
    const auto raw = parse(header, raw_storage, credential_decoding::raw);
    oauthcore::request_storage form_storage;
    const auto form = parse(header, form_storage, credential_decoding::form_urlencoded);

    // The policies differ only after the split: both refuse alike, or raw accepts and
    // form accepts unless its decoding made a control character.
    require(raw.has_value() || !form.has_value());
    if (!raw) {
        const auto why = raw.error().reason;
        require(form.error() == raw.error());
        require(why == reason::authorization_too_large || why == reason::unsupported_authorization_scheme ||
                why == reason::malformed_basic_credentials || why == reason::empty_client_id);
        require((why == reason::authorization_too_large) ==
                (header.size() > oauthcore::basic_auth_options{}.max_header_bytes));
    } else {
        // The header, read independently: OWS, "basic" in any case, spaces, token68.
        std::string_view value = header;
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
        require(value.size() > 6);
        std::string scheme(value.substr(0, 5));
        for (char& c : scheme) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        require(scheme == "basic" && value[5] == ' ');
        value.remove_prefix(5);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        // Strict base64 has one encoding per byte string: re-encoding gives it back.
        const std::string user_pass = std::string(raw->id) + ":" + std::string(raw->secret);
        require(reference_base64(user_pass) == value);
        require(!raw->id.empty() && raw->id.find(':') == std::string_view::npos);
        for (const char c : user_pass) require(!is_control(c));
        const std::string id = fuzz_reference::form_decode(raw->id);
        const std::string secret = fuzz_reference::form_decode(raw->secret);
        const bool decoded_control =
            std::any_of(id.begin(), id.end(), is_control) || std::any_of(secret.begin(), secret.end(), is_control);
        require(form.has_value() == !decoded_control);
        if (form) {
            require(form->id == id);
            require(form->secret == secret);
        } else {
            require(form.error().reason == reason::malformed_basic_credentials);
        }
    }

    // A small fixed_storage gives the same answer, or runs out of memory.
    for (const auto decoding : {credential_decoding::raw, credential_decoding::form_urlencoded}) {
        const auto& big = decoding == credential_decoding::raw ? raw : form;
        oauthcore::fixed_storage<40> small_storage;
        const auto small = parse(header, small_storage, decoding);
        if (!small && small.error().reason == reason::out_of_memory) continue;
        require(small.has_value() == big.has_value());
        if (small) {
            require(small->id == big->id && small->secret == big->secret);
        } else {
            require(small.error() == big.error());
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const unsigned mode = data[0];
    // An exact-size copy of the material, so that reads past its end are caught.
    std::vector<char> material(data + 1, data + size);
    const std::string_view view(material.data(), material.size());
    if (mode < 6) {
        round_trip(mode, view);
    } else {
        raw_bytes(view);
    }
    return 0;
}
