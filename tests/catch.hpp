#pragma once
// Catch2 v2 (Debian 12's catch2 2.13) as a single header; v3 where that is installed.
#if __has_include(<catch2/catch_all.hpp>)
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif
