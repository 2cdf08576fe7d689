#pragma once
// The vendor document's example credentials (seed/social-id-oauth-token-password.txt),
// put into a new database on the server's first start so that the document's curl
// commands work unchanged. Anyone can read them here: do not keep them in a database
// that faces real clients.

#include <string_view>

namespace token_server {

inline constexpr std::string_view demo_client_id = "138";
inline constexpr std::string_view demo_client_secret =
    "e8b9ca24f1b590af67e6271297d6e1f7226625d61c5b5daa1b2f215464e292cf";
inline constexpr std::string_view demo_user_name = "john_doe";
inline constexpr std::string_view demo_user_email = "john_doe@domain.com";
inline constexpr std::string_view demo_user_password = "john_doe_secret";

}  // namespace token_server
