// The one source of labelloop_torch_pch (cmake/torch_pch.cmake): CMake builds a target's
// precompiled header while compiling its sources, so the target needs one. Nothing else uses it.
