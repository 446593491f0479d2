# Warning flags for every llmsim target: llmsim_set_warnings(target).
function(llmsim_set_warnings target)
  # -Wconversion is left out on purpose: the cost model mixes integer counts and
  # double quantities everywhere, and explicit casts at each site would hide more than they show.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
  # g++ 12 reports -Wrestrict falsely inside libstdc++ for `"text" + std::string` at -O2 and
  # above (GCC bug 105329); the warning stays off until the compiler is fixed.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(LLMSIM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(LLMSIM_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
      -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
