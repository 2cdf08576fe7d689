#pragma once
// The transport adapter: cpp-httplib's request seen as an oauthcore::request_source, and
// oauthcore's response copied into cpp-httplib's. No protocol decision is made here;
// every check is oauthcore's (endpoint.hpp).

#include <httplib.h>

#include <forward_list>
#include <optional>
#include <string>
#include <string_view>

#include "oauthcore/concepts.hpp"
#include "oauthcore/response.hpp"

namespace token_server {

class httplib_request {
public:
    explicit httplib_request(const httplib::Request& request) noexcept : request_(request) {}

    [[nodiscard]] std::string_view method() const noexcept { return request_.method; }
    // The request-target as sent (path and query), so that oauthcore sees a query.
    [[nodiscard]] std::string_view target() const noexcept { return request_.target; }
    [[nodiscard]] std::string_view body() const noexcept { return request_.body; }

    // cpp-httplib keeps a header sent twice as two entries; HTTP reads them as one
    // field with the values joined by commas (RFC 9110 5.3), which is what
    // oauthcore::request_view asks for. The joined text lives as long as this adapter.
    [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const {
        const auto [first, last] = request_.headers.equal_range(std::string(name));
        if (first == last) return std::nullopt;
        if (std::next(first) == last) return first->second;
        std::string joined;
        for (auto it = first; it != last; ++it) {
            if (it != first) joined += ", ";
            joined += it->second;
        }
        return joined_.emplace_front(std::move(joined));
    }

private:
    const httplib::Request& request_;
    mutable std::forward_list<std::string> joined_;
};

static_assert(oauthcore::request_source<httplib_request>);

// Copies status, headers and body; cpp-httplib writes Content-Length and, from
// set_content, Content-Type.
inline void write_response(const oauthcore::response& from, httplib::Response& to) {
    to.status = from.status;
    std::string content_type;
    for (const oauthcore::header_field& field : from.headers()) {
        if (field.name == "Content-Type")
            content_type = field.value;
        else
            to.set_header(std::string(field.name), std::string(field.value));
    }
    to.set_content(from.body.data(), from.body.size(), content_type);
}

}  // namespace token_server
