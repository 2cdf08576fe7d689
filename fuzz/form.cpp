// Fuzz target for form.hpp: a differential test against a reference decoder written
// here, naively and on purpose differently (std::string, one pass per WHATWG step), from
// the WHATWG URL standard, "application/x-www-form-urlencoded parsing":
//   1. let sequences be the result of splitting input on 0x26 (&);
//   2. for each byte sequence bytes in sequences: if bytes is empty, continue; if bytes
//      contains a 0x3D (=), name is the bytes from the start of bytes up to but
//      excluding its first 0x3D (=), and value the bytes, if any, after it; otherwise
//      name is bytes and value the empty byte sequence;
//   3. replace any 0x2B (+) in name and value with 0x20 (SP);
//   4. let nameString and valueString be the result of running UTF-8 decode without BOM
//      on the percent-decoding of name and value.
// oauthcore stops before the UTF-8 decode of step 4 and returns the percent-decoded
// bytes (see form.hpp), so the reference does the same.
//
// Invariants, for every input:
//  - form_pairs + decoded_size + decode_form_component give exactly the reference's
//    (name, value) list, and so does detail::decode_form_in_place_room (what parse_form
//    decodes with) into a block of the raw size;
//  - parse_form gives exactly the reference's outcome (error reason and parameter, or
//    the value of every recognised parameter), under the default limits, under tight
//    limits, and with a small fixed_storage (where out_of_memory is predicted too);
//  - parse_form with a request_storage never reports out_of_memory.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "oauthcore/form.hpp"
#include "oauthcore/storage.hpp"
#include "reference_decoding.hpp"

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

struct reference_pair {
    std::string raw_name;
    std::string raw_value;
    std::string name;
    std::string value;
};

std::vector<reference_pair> reference_parse(const std::string& input) {
    std::vector<std::string> sequences(1);
    for (const char c : input) {
        if (c == '&') {
            sequences.emplace_back();
        } else {
            sequences.back() += c;
        }
    }
    std::vector<reference_pair> output;
    for (const std::string& bytes : sequences) {
        if (bytes.empty()) continue;
        reference_pair pair;
        const auto eq = bytes.find('=');
        if (eq == std::string::npos) {
            pair.raw_name = bytes;
        } else {
            pair.raw_name = bytes.substr(0, eq);
            pair.raw_value = bytes.substr(eq + 1);
        }
        pair.name = fuzz_reference::form_decode(pair.raw_name);
        pair.value = fuzz_reference::form_decode(pair.raw_value);
        output.push_back(std::move(pair));
    }
    return output;
}

// The names parse_form recognises here: the token endpoint's, and longer ones as later
// grants and methods declare them (over 16 bytes: compared past the inline fast path).
using fuzz_parameters = oauthcore::parameter_list<"grant_type", "username", "email_address", "password", "client_id",
                                                  "client_secret", "scope", "refresh_token", "code_verifier",
                                                  "authorization_details", "client_assertion_type", "code">;
constexpr std::size_t recognised_count = fuzz_parameters::names.size();
constexpr std::size_t not_recognised = recognised_count;

std::size_t recognised_index(const std::string& decoded_name) {
    for (std::size_t i = 0; i < recognised_count; ++i)
        if (fuzz_parameters::names[i] == decoded_name) return i;
    return not_recognised;
}

struct expected_outcome {
    std::optional<oauthcore::error> failure;
    std::array<std::string, recognised_count> values{};
    std::array<bool, recognised_count> present{};
};

// What parse_form must answer, from the reference pairs and the documented order of
// checks. `capacity` models a fixed_storage: the decoded values that have to be
// written (recognised, first occurrence, holding '+' or '%') use it up in order, each its
// raw size (it is decoded in place).
expected_outcome expected_parse(const std::string& body, const std::vector<reference_pair>& pairs,
                                const oauthcore::form_limits& limits, std::optional<std::size_t> capacity) {
    using oauthcore::reason;
    expected_outcome expected;
    if (body.size() > limits.max_body_bytes) {
        expected.failure = oauthcore::error{reason::body_too_large};
        return expected;
    }
    std::size_t count = 0;
    std::size_t used = 0;
    for (const reference_pair& pair : pairs) {
        if (++count > limits.max_parameters) {
            expected.failure = oauthcore::error{reason::too_many_parameters};
            return expected;
        }
        if (pair.raw_name.size() > limits.max_parameter_bytes || pair.raw_value.size() > limits.max_parameter_bytes) {
            expected.failure = oauthcore::error{reason::parameter_too_large};
            return expected;
        }
        const std::size_t index = recognised_index(pair.name);
        if (index == not_recognised) continue;
        if (expected.present[index]) {
            expected.failure = oauthcore::error{reason::duplicate_parameter,
                                                oauthcore::detail::declared_name(fuzz_parameters::names[index])};
            return expected;
        }
        expected.present[index] = true;
        const bool encoded = pair.raw_value.find_first_of("+%") != std::string::npos;
        // A decoded value is decoded in place into a block of its raw size.
        if (encoded && capacity) {
            if (pair.raw_value.size() > *capacity - used) {
                expected.failure = oauthcore::error{reason::out_of_memory};
                return expected;
            }
            used += pair.raw_value.size();
        }
        expected.values[index] = pair.value;
    }
    return expected;
}

template <class Storage>
void check_parse(const std::string& body, const std::vector<reference_pair>& pairs,
                 const oauthcore::form_limits& limits, Storage& storage, std::optional<std::size_t> capacity) {
    const auto expected = expected_parse(body, pairs, limits, capacity);
    const auto fields = oauthcore::parse_form<fuzz_parameters>(body, storage, limits);
    if (expected.failure) {
        require(!fields);
        require(fields.error() == *expected.failure);
        return;
    }
    require(fields.has_value());
    for (std::size_t i = 0; i < recognised_count; ++i) {
        require(fields->at(i) == expected.values[i]);
        require(fields->present(i) == expected.present[i]);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::string body(input);
    const auto pairs = reference_parse(body);

    // WHATWG steps 1-3, component by component.
    std::size_t index = 0;
    for (const oauthcore::form_pair pair : oauthcore::form_pairs(input)) {
        require(index < pairs.size());
        require(pair.name == pairs[index].raw_name);
        require(pair.value == pairs[index].raw_value);
        // Exact-size heap blocks, so that a write past decoded_size is caught.
        for (const auto& [raw, decoded] :
             {std::pair{pair.name, &pairs[index].name}, std::pair{pair.value, &pairs[index].value}}) {
            const std::size_t decoded_size = oauthcore::decoded_size(raw);
            require(decoded_size == decoded->size());
            require(oauthcore::needs_decoding(raw) == (raw.find_first_of("+%") != std::string_view::npos));
            std::vector<char> out(decoded_size);
            require(oauthcore::decode_form_component(raw, out.data()) == decoded_size);
            require(std::string_view(out.data(), out.size()) == *decoded);
            // What decode_to_storage runs: a block of the raw size, filled sixteen bytes a
            // step where it can be.
            std::vector<char> room(raw.size());
            require(oauthcore::detail::decode_form_in_place_room(raw, room.data()) == decoded_size);
            require(std::string_view(room.data(), decoded_size) == *decoded);
        }
        ++index;
    }
    require(index == pairs.size());

    // parse_form, under the default limits, tight limits and a small fixed_storage.
    {
        oauthcore::request_storage storage;
        check_parse(body, pairs, oauthcore::form_limits{}, storage, std::nullopt);
    }
    {
        oauthcore::request_storage storage;
        check_parse(body, pairs, oauthcore::form_limits{1024, 4, 16}, storage, std::nullopt);
    }
    {
        oauthcore::request_storage storage;
        check_parse(body, pairs, oauthcore::form_limits{SIZE_MAX, SIZE_MAX, SIZE_MAX}, storage, std::nullopt);
    }
    {
        oauthcore::fixed_storage<24> storage;
        check_parse(body, pairs, oauthcore::form_limits{}, storage, std::size_t{24});
    }
    return 0;
}
