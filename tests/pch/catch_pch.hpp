// Precompiled header for the Meson test build (Catch2 is one large header).
#include "../catch.hpp"
