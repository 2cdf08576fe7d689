#pragma once
// The transport adapter: a Beast request seen as an oauthcore::request_source, and
// oauthcore's response copied into a Beast response. No protocol decision is made here;
// every check is oauthcore's (endpoint.hpp).

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <forward_list>
#include <optional>
#include <string>
#include <string_view>

#include "oauthcore/concepts.hpp"
#include "oauthcore/response.hpp"

namespace token_server {

using http_request = boost::beast::http::request<boost::beast::http::string_body>;
using http_response = boost::beast::http::response<boost::beast::http::string_body>;

class beast_request {
public:
    explicit beast_request(const http_request& request) noexcept : request_(request) {}

    [[nodiscard]] std::string_view method() const noexcept { return view(request_.method_string()); }
    // The request-target as sent (path and query), so that oauthcore sees a query.
    [[nodiscard]] std::string_view target() const noexcept { return view(request_.target()); }
    [[nodiscard]] std::string_view body() const noexcept { return request_.body(); }

    // A field sent twice is one field with the values joined by commas (RFC 9110 5.3),
    // which is what oauthcore::request_view asks for. Names compare case-insensitively.
    // The joined text lives as long as this adapter.
    [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const {
        const auto [first, last] = request_.equal_range(boost::beast::string_view(name.data(), name.size()));
        if (first == last) return std::nullopt;
        if (std::next(first) == last) return view(first->value());
        std::string joined;
        for (auto it = first; it != last; ++it) {
            if (it != first) joined += ", ";
            joined += view(it->value());
        }
        return joined_.emplace_front(std::move(joined));
    }

private:
    static std::string_view view(boost::beast::string_view s) noexcept { return {s.data(), s.size()}; }

    const http_request& request_;
    mutable std::forward_list<std::string> joined_;
};

static_assert(oauthcore::request_source<beast_request>);

// Status, headers and body, copied: the response's views point into per-request
// storage that is reused once this returns.
[[nodiscard]] inline http_response to_beast_response(const oauthcore::response& from) {
    http_response to;
    to.result(static_cast<unsigned>(from.status));
    to.reason(boost::beast::string_view(from.reason_phrase.data(), from.reason_phrase.size()));
    for (const oauthcore::header_field& field : from.headers())
        to.insert(boost::beast::string_view(field.name.data(), field.name.size()),
                  boost::beast::string_view(field.value.data(), field.value.size()));
    to.body().assign(from.body.data(), from.body.size());
    return to;
}

}  // namespace token_server
