#pragma once
// oauthcore: the protocol core of an OAuth 2.0 token endpoint. Includes every component.

#include "oauthcore/base64.hpp"
#include "oauthcore/basic_auth.hpp"
#include "oauthcore/concepts.hpp"
#include "oauthcore/constant_time.hpp"
#include "oauthcore/endpoint.hpp"
#include "oauthcore/errors.hpp"
#include "oauthcore/form.hpp"
#include "oauthcore/grant.hpp"
#include "oauthcore/json.hpp"
#include "oauthcore/memory_stores.hpp"
#include "oauthcore/response.hpp"
#include "oauthcore/result.hpp"
#include "oauthcore/storage.hpp"
#include "oauthcore/transport.hpp"
#include "oauthcore/version.hpp"
