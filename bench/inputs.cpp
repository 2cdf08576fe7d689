// The large input of the issue: "the vendor body plus 28 unrelated parameters, about
// 4 KiB". Built once, deterministically, to exactly 4096 bytes. The unrelated values
// mix plain characters with '+' and percent-encoded bytes, like the opaque device and
// state strings real clients send, so that a parser that decodes them has work to do.

#include <string>

#include "support.hpp"

namespace bench {

const std::string& large_body() {
    static const std::string body = [] {
        constexpr std::size_t total = 4096;
        constexpr std::string_view pattern = "a1b2c3d4e5f6g7h8i9j0-_.~+%2F";
        std::string out(vendor_body);
        for (std::size_t i = 0; i < large_extra_parameters; ++i) {
            out += "&field_";
            out += static_cast<char>('0' + i / 10);
            out += static_cast<char>('0' + i % 10);
            out += '=';
            const std::size_t left = large_extra_parameters - i;
            const std::size_t value_size = (total - out.size()) / left;
            // Whole patterns keep every "%2F" intact; plain letters fill the rest.
            std::size_t written = 0;
            while (written + pattern.size() <= value_size) {
                out += pattern;
                written += pattern.size();
            }
            out.append(value_size - written, 'z');
        }
        return out;
    }();
    return body;
}

}  // namespace bench
